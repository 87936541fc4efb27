using AutoDL.Data.Identity;
using AutoDL.Data.Tokens;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Data;

/// <summary>The application database: Identity schema, API tokens, and (as the product grows) datasets, searches, trials.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

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
    }
}
