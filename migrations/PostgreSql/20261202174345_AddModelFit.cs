using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoDL.Data.PostgreSql.Migrations
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
                type: "text",
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
