using System.Net;
using AutoDL.Data.Identity;

namespace AutoDL.Web.Tests.Auth;

[Collection(WebAppCollection.Name)]
public sealed class AdminAreaTests(AutoDLWebFactory app)
{
    [Fact]
    public async Task TheJobsDashboardSendsAnonymousVisitorsToTheLoginPage()
    {
        var response = await app.CreateAnonymousClient().GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task TheJobsDashboardOpensForAnAdmin()
    {
        var client = await app.SignInAsync(AutoDLWebFactory.AdminEmail, AutoDLWebFactory.AdminPassword);

        var response = await client.GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("AutoDL jobs", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheJobsDashboardIsForbiddenToOtherRoles()
    {
        var token = await app.CreateUserWithTokenAsync("analyst-dashboard@example.com", Roles.Analyst);

        var response = await app.CreateClientWithToken(token).GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TheAdminPageIsDeniedToAnAnalyst()
    {
        await app.CreateUserWithTokenAsync("analyst-page@example.com", Roles.Analyst);
        var client = await app.SignInAsync("analyst-page@example.com", AutoDLWebFactory.AdminPassword);

        var response = await client.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/access-denied", response.Headers.Location!.AbsolutePath);
    }
}
