using Microsoft.AspNetCore.Identity;

namespace AutoDL.Data.Identity;

/// <summary>A person (or a script acting for one) who signs in to AutoDL.</summary>
public sealed class AppUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}
