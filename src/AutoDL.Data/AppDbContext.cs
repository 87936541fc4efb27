using AutoDL.Data.Datasets;
using AutoDL.Data.Identity;
using AutoDL.Data.Models;
using AutoDL.Data.Reports;
using AutoDL.Data.Search;
using AutoDL.Data.Tokens;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data;

/// <summary>The application database: Identity schema, API tokens, and (as the product grows) datasets, searches, trials.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    /// <summary>Uploaded dataset versions (table <c>Datasets</c>).</summary>
    public DbSet<DatasetRow> Datasets => Set<DatasetRow>();

    /// <summary>Searches as the trial store keeps them (table <c>Searches</c>); see <see cref="EfTrialStore"/>.</summary>
    public DbSet<SearchRow> SearchRows => Set<SearchRow>();

    /// <summary>Trials as the trial store keeps them (table <c>Trials</c>).</summary>
    public DbSet<TrialRow> TrialRows => Set<TrialRow>();

    /// <summary>Refitted, tested models of searches (table <c>Models</c>).</summary>
    public DbSet<ModelRow> Models => Set<ModelRow>();

    /// <summary>Explainability and fairness reports of models (table <c>Reports</c>).</summary>
    public DbSet<ReportRow> Reports => Set<ReportRow>();

    /// <summary>Every opening and download of a report (table <c>ReportViews</c>), append-only.</summary>
    public DbSet<ReportViewRow> ReportViews => Set<ReportViewRow>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ApiToken>(token =>
        {
            token.HasKey(t => t.Id);
            token.Property(t => t.Id).HasMaxLength(32);
            token.Property(t => t.Name).HasMaxLength(ApiToken.MaxNameLength).IsRequired();
            token.Property(t => t.Hash).HasMaxLength(64).IsRequired();
            token.Property(t => t.Prefix).HasMaxLength(16).IsRequired();
            token.HasIndex(t => t.Hash).IsUnique();
            token.HasOne<AppUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<DatasetRow>(dataset =>
        {
            dataset.ToTable("Datasets");
            dataset.HasKey(d => d.Id);
            dataset.Property(d => d.Id).HasMaxLength(DatasetRow.IdLength);
            dataset.Property(d => d.Name).HasMaxLength(200).IsRequired();
            dataset.Property(d => d.Kind).HasConversion<string>().HasMaxLength(16);
            dataset.Property(d => d.Sha256).HasMaxLength(64).IsRequired();
            dataset.Property(d => d.FileName).HasMaxLength(260).IsRequired();
            dataset.Property(d => d.StoredPath).HasMaxLength(400).IsRequired();
            dataset.Property(d => d.SchemaJson).IsRequired();
            dataset.Property(d => d.ProfileState).HasConversion<string>().HasMaxLength(16);
            // The same bytes are the same version: a second upload of them finds the first.
            dataset.HasIndex(d => d.Sha256).IsUnique();
            dataset.HasIndex(d => d.CreatedAt);
        });
        builder.Entity<SearchRow>(search =>
        {
            search.ToTable("Searches");
            search.HasKey(s => s.Id);
            search.Property(s => s.Id).HasMaxLength(SearchRow.IdLength);
            search.Property(s => s.SpaceJson).IsRequired();
            search.Property(s => s.DirectionsJson).IsRequired();
            search.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
            search.Property(s => s.BestModelId).HasMaxLength(ModelRow.IdLength);
            search.HasIndex(s => s.CreatedAt);
            // A dataset a search learns from cannot be deleted from under it.
            search.HasOne<DatasetRow>().WithMany().HasForeignKey(s => s.DatasetId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<TrialRow>(trial =>
        {
            trial.ToTable("Trials");
            trial.HasKey(t => t.Id);
            trial.Property(t => t.SearchId).HasMaxLength(SearchRow.IdLength).IsRequired();
            trial.Property(t => t.State).HasConversion<string>().HasMaxLength(16);
            trial.Property(t => t.ParamsJson).IsRequired();
            trial.Property(t => t.IntermediateJson).IsRequired();
            trial.Property(t => t.Worker).IsRequired();
            // The database's own guarantee that a trial number is handed out once; asks that lose a race retry.
            trial.HasIndex(t => new { t.SearchId, t.Number }).IsUnique();
            trial.HasOne<SearchRow>().WithMany().HasForeignKey(t => t.SearchId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<ModelRow>(model =>
        {
            model.ToTable("Models");
            model.HasKey(m => m.Id);
            model.Property(m => m.Id).HasMaxLength(ModelRow.IdLength);
            model.Property(m => m.SearchId).HasMaxLength(SearchRow.IdLength).IsRequired();
            model.Property(m => m.Learner).HasMaxLength(64).IsRequired();
            model.Property(m => m.ParamsJson).IsRequired();
            model.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
            model.Property(m => m.StoredPath).HasMaxLength(400);
            // One model per trial: asking twice finds the first.
            model.HasIndex(m => new { m.SearchId, m.TrialNumber }).IsUnique();
            model.HasOne<SearchRow>().WithMany().HasForeignKey(m => m.SearchId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<ReportRow>(report =>
        {
            report.ToTable("Reports");
            report.HasKey(r => r.Id);
            report.Property(r => r.Id).HasMaxLength(ReportRow.IdLength);
            report.Property(r => r.ModelId).HasMaxLength(ModelRow.IdLength).IsRequired();
            report.Property(r => r.RequestJson).IsRequired();
            report.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
            report.Property(r => r.StoredPath).HasMaxLength(400);
            report.Property(r => r.HtmlPath).HasMaxLength(400);
            report.Property(r => r.Sha256).HasMaxLength(64);
            report.HasIndex(r => new { r.ModelId, r.CreatedAt });
            // A report is a record of what was reviewed: its model cannot be deleted from under it.
            report.HasOne<ModelRow>().WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<ReportViewRow>(view =>
        {
            view.ToTable("ReportViews");
            view.HasKey(v => v.Id);
            view.Property(v => v.ReportId).HasMaxLength(ReportRow.IdLength).IsRequired();
            view.Property(v => v.User).HasMaxLength(256).IsRequired();
            view.Property(v => v.Action).HasMaxLength(32).IsRequired();
            view.HasIndex(v => new { v.ReportId, v.At });
            view.HasOne<ReportRow>().WithMany().HasForeignKey(v => v.ReportId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
