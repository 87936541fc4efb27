using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutoDL.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddSearchSettingsAndModels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BestModelId",
                table: "Searches",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CreatedBy",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Error",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FinishedAt",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Parallelism",
                table: "Searches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<string>(
                name: "SettingsJson",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WorkersFinished",
                table: "Searches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "Models",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    SearchId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TrialNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    Learner = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ParamsJson = table.Column<string>(type: "TEXT", nullable: false),
                    ValidationValue = table.Column<double>(type: "REAL", nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    TestMetricsJson = table.Column<string>(type: "TEXT", nullable: true),
                    InputSchemaJson = table.Column<string>(type: "TEXT", nullable: true),
                    StoredPath = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    TrainingSeconds = table.Column<double>(type: "REAL", nullable: true),
                    PredictMicrosecondsPerRow = table.Column<double>(type: "REAL", nullable: true),
                    IsBest = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Models", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Models_Searches_SearchId",
                        column: x => x.SearchId,
                        principalTable: "Searches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Searches_CreatedAt",
                table: "Searches",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Models_SearchId_TrialNumber",
                table: "Models",
                columns: new[] { "SearchId", "TrialNumber" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Models");

            migrationBuilder.DropIndex(
                name: "IX_Searches_CreatedAt",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "BestModelId",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "CreatedBy",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Error",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "FinishedAt",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Parallelism",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "SettingsJson",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "WorkersFinished",
                table: "Searches");
        }
    }
}
