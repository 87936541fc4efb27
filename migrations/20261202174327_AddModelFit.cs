using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoDL.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddModelFit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FitJson",
                table: "Models",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FitJson",
                table: "Models");
        }
    }
}
