using AutoDL.Data.Identity;
using AutoDL.Web.Components.Layout;
using Bunit;

namespace AutoDL.Web.Tests.Components;

public sealed class NavMenuTests
{
    [Fact]
    public async Task EveryoneSeesTheFiveAreasButOnlyAdminsSeeAdmin()
    {
        await using var context = MudBunitContext.Create(c => c.AddAuthorization().SetAuthorized("analyst@example.com").SetRoles(Roles.Analyst));

        var links = context.Render<NavMenu>().FindAll("a").Select(a => a.TextContent.Trim()).ToList();

        Assert.Equal(["Home", "Datasets", "Searches", "Leaderboard", "Reports"], links);
    }

    [Fact]
    public async Task AnAdminSeesTheAdminLink()
    {
        await using var context = MudBunitContext.Create(c => c.AddAuthorization().SetAuthorized("admin@example.com").SetRoles(Roles.Admin));

        var admin = context.Render<NavMenu>().FindAll("a").Single(a => a.TextContent.Trim() == "Admin");

        Assert.EndsWith("admin", admin.GetAttribute("href"));
    }
}
