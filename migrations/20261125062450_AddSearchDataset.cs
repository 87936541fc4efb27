using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoDL.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddSearchDataset : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DatasetId",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "Searches",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Queued");

            migrationBuilder.CreateIndex(
                name: "IX_Searches_DatasetId",
                table: "Searches",
                column: "DatasetId");

            migrationBuilder.AddForeignKey(
                name: "FK_Searches_Datasets_DatasetId",
                table: "Searches",
                column: "DatasetId",
                principalTable: "Datasets",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Searches_Datasets_DatasetId",
                table: "Searches");

            migrationBuilder.DropIndex(
                name: "IX_Searches_DatasetId",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "DatasetId",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "Searches");
        }
    }
}
