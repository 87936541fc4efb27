using AutoDL.Data;
using AutoDL.Jobs.Datasets;
using AutoDL.Jobs.Hosting;
using AutoDL.Web.Api;
using AutoDL.Web.Auth;
using AutoDL.Web.Components;
using AutoDL.Web.Health;
using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using MudBlazor.Services;

var contentRoot = AutoDLPaths.LocateContentRoot();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = contentRoot,
    WebRootPath = Path.Combine(contentRoot, "wwwroot"),
});
// Serve the framework's and MudBlazor's static web assets (blazor.web.js, _content/...) when run from build output in
// any environment, not only Development (the default); published output has no runtime manifest, so this is a no-op there.
if (!builder.Environment.IsDevelopment())
{
    builder.WebHost.UseStaticWebAssets();
}

var dataRoot = builder.Services.AddAutoDLCore(builder.Configuration, builder.Environment.ContentRootPath);
// Sign-in cookies survive restarts (and containers): the keys that protect them live in the data folder.
builder.Services.AddDataProtection()
    .SetApplicationName("AutoDL")
    .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataRoot, "keys")));
builder.Services.AddAutoDLAuth(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.AddHealthChecks()
    .AddDbContextCheck<AppDbContext>("database")
    .AddCheck<HangfireHealthCheck>("hangfire");
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddSingleton<AutoDL.Web.Status.SystemStatus>();

var app = builder.Build();

await app.Services.InitializeAutoDLDatabaseAsync(app.Lifetime.ApplicationStopping);
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<AdminBootstrap>().RunAsync(app.Lifetime.ApplicationStopping);
}

await SampleDatasets.ImportAsync(app.Services, builder.Environment.ContentRootPath, app.Lifetime.ApplicationStopping);

app.UseExceptionHandler();
// The API answers bare status codes as problem details; pages show the not-found page.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
// The top-level wwwroot/ is served before routing, so no endpoint (nor the fallback authorization policy) sees its files.
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapAutoDLHealth();
app.MapAutoDLApi();
app.MapAccountEndpoints();
app.MapHangfireDashboardWithAuthorizationPolicy(AuthSchemes.AdminPolicy, "/hangfire", new DashboardOptions
{
    DashboardTitle = "AutoDL jobs",
    AppPath = "/",
});
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();

/// <summary>The web app's entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
