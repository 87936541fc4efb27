using AutoDL.Web.Components.Layout;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Extensions;

namespace AutoDL.Web.Tests.Components;

public sealed class MainLayoutTests
{
    [Fact]
    public async Task TheThemeToggleSwitchesBetweenLightAndDark()
    {
        await using var context = MudBunitContext.Create(c => c.AddAuthorization().SetAuthorized("analyst@example.com"));
        var layout = context.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));
        var theme = layout.FindComponent<MudThemeProvider>();
        Assert.False(theme.Instance.GetState(x => x.IsDarkMode));

        layout.Find("[data-testid=theme-toggle]").Click();
        Assert.True(theme.Instance.GetState(x => x.IsDarkMode));

        layout.Find("[data-testid=theme-toggle]").Click();
        Assert.False(theme.Instance.GetState(x => x.IsDarkMode));
    }

    [Fact]
    public async Task TheShellShowsTheTitleTheSignedInUserAndThePage()
    {
        await using var context = MudBunitContext.Create(c => c.AddAuthorization().SetAuthorized("analyst@example.com"));

        var layout = context.Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));

        Assert.Equal("AutoDL", layout.Find("[data-testid=app-title]").TextContent.Trim());
        Assert.Contains("analyst@example.com", layout.Find("[data-testid=user-name]").TextContent);
        Assert.Equal("account/logout", layout.Find("form").GetAttribute("action"));
        Assert.Contains("page body", layout.Markup);
        Assert.Equal("true", layout.Find(".mud-layout").GetAttribute("data-interactive"));
    }
}
