using System.Net;
using System.Net.Http.Json;
using AutoDL.Data.Identity;
using AutoDL.Data.Tokens;
using AutoDL.Web.Api;

namespace AutoDL.Web.Tests.Api;

[Collection(WebAppCollection.Name)]
public sealed class TokenApiTests(AutoDLWebFactory app)
{
    [Fact]
    public async Task ATokenCreatedThroughTheApiWorksUntilItIsRevoked()
    {
        var admin = app.CreateClientWithToken(AutoDLWebFactory.AdminToken);

        var response = await admin.PostAsJsonAsync("/api/v1/tokens", new CreateTokenRequest("ci pipeline"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<CreatedApiToken>())!;

        var me = await app.CreateClientWithToken(created.Secret).GetFromJsonAsync<MeResponse>("/api/v1/me");
        Assert.Equal(AutoDLWebFactory.AdminEmail, me!.Email);
        var listed = await admin.GetFromJsonAsync<List<ApiTokenInfo>>("/api/v1/tokens");
        Assert.Contains(listed!, t => t.Id == created.Token.Id && t.Name == "ci pipeline");
        Assert.DoesNotContain(created.Secret, await admin.GetStringAsync("/api/v1/tokens"));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/tokens/{created.Token.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClientWithToken(created.Secret).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task ATokenWithoutANameIsRefusedNamingTheField()
    {
        var response = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken).PostAsJsonAsync("/api/v1/tokens", new CreateTokenRequest(" "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"name\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RevokingAnotherUsersTokenAnswers404AndLeavesItWorking()
    {
        var analystToken = await app.CreateUserWithTokenAsync("revoke-victim@example.com", Roles.Analyst);
        var analyst = app.CreateClientWithToken(analystToken);
        var analystTokens = await analyst.GetFromJsonAsync<List<ApiTokenInfo>>("/api/v1/tokens");

        var response = await app.CreateClientWithToken(AutoDLWebFactory.AdminToken).DeleteAsync($"/api/v1/tokens/{analystTokens![0].Id}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/api/v1/me")).StatusCode);
    }
}
