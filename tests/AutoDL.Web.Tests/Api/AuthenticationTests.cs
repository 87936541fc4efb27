using System.Net;
using System.Net.Http.Json;
using AutoDL.Data.Identity;
using AutoDL.Web.Api;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class AuthenticationTests(AutoDLWebFactory app)
{
    [Theory]
    [InlineData("/api/v1/me")]
    [InlineData("/api/v1/tokens")]
    [InlineData("/api/v1/anything-not-mapped")]
    public async Task AnonymousApiCallsGet401WithProblemDetails(string path)
    {
        var response = await app.CreateAnonymousClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheBootstrapTokenFromConfigurationGetsInAsTheAdmin()
    {
        var me = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken).GetFromJsonAsync<MeResponse>("/api/v1/me");

        Assert.Equal(AutoDLWebFactory.AdminEmail, me!.Email);
        Assert.Contains(Roles.Admin, me.Roles);
    }

    [Fact]
    public async Task AnUnknownBearerTokenGets401()
    {
        var response = await app.CreateClientWithToken("adl_this-token-was-never-issued").GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task AnonymousPageVisitsAreSentToTheLoginPage()
    {
        var response = await app.CreateAnonymousClient().GetAsync("/datasets");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", response.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fdatasets", response.Headers.Location.Query);
    }

    [Fact]
    public async Task TheLoginPageIsOpenToAnonymousVisitors()
    {
        var response = await app.CreateAnonymousClient().GetAsync("/login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Sign in", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SigningInWithTheFormOpensTheShell()
    {
        var client = await app.SignInAsync(AutoDLWebFactory.AdminEmail, AutoDLWebFactory.AdminPassword);

        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Welcome to AutoDL", html);
        Assert.Contains("data-testid=\"nav\"", html);
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedWithAMessage()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => app.SignInAsync(AutoDLWebFactory.AdminEmail, "not-the-password"));

        Assert.Contains("The email or password is not right.", error.Message);
    }

    [Fact]
    public async Task TheCookieAlsoOpensTheApi()
    {
        var client = await app.SignInAsync(AutoDLWebFactory.AdminEmail, AutoDLWebFactory.AdminPassword);

        var me = await client.GetFromJsonAsync<MeResponse>("/api/v1/me");

        Assert.Equal(AutoDLWebFactory.AdminEmail, me!.Email);
    }
}
