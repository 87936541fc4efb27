using System.Security.Claims;
using AutoDL.Jobs.Searches;
using AutoDL.Web.Components.Searches;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace AutoDL.Web.Tests.Components.Searches;

public sealed class StartSearchFormTests
{
    private static BunitContext Context() => MudBunitContext.Create(c => c.AddAuthorization()
        .SetAuthorized("analyst@example.com").SetClaims(new Claim(ClaimTypes.NameIdentifier, "u1")));

    [Fact]
    public async Task OnAnImageDatasetTheFormHasNoTargetOffersTheCnnAndADeviceAndLaunchesAnImageSearch()
    {
        await using var context = Context();
        var requests = new List<(SearchRequest Request, string? UserId)>();

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d1")
            .Add(f => f.ImageClasses, 10)
            .Add(f => f.Launch, (request, userId) =>
            {
                requests.Add((request, userId));
                return Task.FromResult(new SearchLaunch("s1", new Dictionary<string, string[]>()));
            }));

        Assert.DoesNotContain("Predict", form.Find("[data-testid=search-summary]").TextContent);
        Assert.Contains("10 classes", form.Find("[data-testid=search-summary]").TextContent);
        Assert.Contains("CNN", form.Find("[data-testid=search-learners]").OuterHtml);
        Assert.Contains("CUDA needs a GPU worker", form.Markup);
        Assert.Empty(form.FindAll("[data-testid=target-select]"));

        await form.Find("button[data-testid=start-search-button]").ClickAsync(new());

        var (request, user) = Assert.Single(requests);
        Assert.Equal("u1", user);
        Assert.Equal("d1", request.DatasetId);
        Assert.Equal("image", request.Task);
        Assert.Equal(["cnn"], request.Learners);
        Assert.Equal("auto", request.Device);
        Assert.Null(request.Target);
        Assert.Null(request.Folds);
        Assert.Null(request.SensitiveColumns);
        Assert.Null(request.Metric);
        Assert.Null(request.RefitOnAllRows);
        Assert.Empty(form.FindAll("[data-testid=search-refit]"));
        Assert.Equal(new SearchBudgetRequest(10, 600), request.Budget);
        Assert.EndsWith("searches/s1", context.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task TheLaunchersPerFieldErrorsShowOnTheImageFormAndNothingNavigates()
    {
        await using var context = Context();
        const string Message = "No worker listens on the 'gpu' queue, so no trial could run on CUDA.";

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d1")
            .Add(f => f.ImageClasses, 2)
            .Add(f => f.Launch, (_, _) => Task.FromResult(new SearchLaunch(null, new Dictionary<string, string[]> { ["device"] = [Message] }))));
        var start = context.Services.GetRequiredService<NavigationManager>().Uri;

        await form.Find("button[data-testid=start-search-button]").ClickAsync(new());

        Assert.Contains(Message, form.Find("[data-testid=search-errors]").TextContent);
        var device = form.Find("[data-testid=search-device]");
        Assert.Equal("true", device.GetAttribute("aria-invalid"));
        Assert.Equal(Message, device.Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")!.TextContent.Trim());
        Assert.Equal(start, context.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task OnATableTheFormStillPredictsTheTargetByCrossValidationWithoutImageFields()
    {
        await using var context = Context();
        SearchRequest? sent = null;

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d2")
            .Add(f => f.Target, "churn")
            .Add(f => f.Regression, false)
            .Add(f => f.Launch, (request, _) =>
            {
                sent = request;
                return Task.FromResult(new SearchLaunch("s2", new Dictionary<string, string[]>()));
            }));

        Assert.Contains("Predict churn", form.Find("[data-testid=search-summary]").TextContent);
        Assert.Empty(form.FindAll("[data-testid=search-device]"));
        Assert.Empty(form.FindAll("[data-testid=search-learners]"));

        await form.Find("button[data-testid=start-search-button]").ClickAsync(new());

        Assert.NotNull(sent);
        Assert.Equal("churn", sent.Target);
        Assert.Equal(5, sent.Folds);
        Assert.Null(sent.Task);
        Assert.Null(sent.Learners);
        Assert.Null(sent.Device);
        Assert.True(sent.RefitOnAllRows);
        Assert.Equal(new SearchBudgetRequest(20, 120), sent.Budget);
        Assert.EndsWith("searches/s2", context.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task WithAnObjectiveChosenTheImageFormOffersOnlyNsga2AndRandomAndSendsTheObjectivesInTheLaunchersOrder()
    {
        await using var context = Context();
        SearchRequest? sent = null;

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d1")
            .Add(f => f.ImageClasses, 10)
            .Add(f => f.Launch, (request, _) =>
            {
                sent = request;
                return Task.FromResult(new SearchLaunch("s3", new Dictionary<string, string[]>()));
            }));
        IRenderedComponent<MudSelect<string>> Strategy() => form.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Strategy");
        string[] Offered() => [.. Strategy().FindComponents<MudSelectItem<string>>().Select(i => i.Instance.Value ?? "").Distinct()];

        Assert.Contains("Latency (ms per image)", form.Find("[data-testid=search-objectives]").TextContent);
        Assert.Contains("Size (parameters)", form.Find("[data-testid=search-objectives]").TextContent);
        Assert.Equal(["tpe", "evolution", "random"], Offered());
        Assert.DoesNotContain("Pareto front", form.Markup);

        await form.Find("input[data-testid=search-objective-params], [data-testid=search-objective-params] input").ChangeAsync(new() { Value = true });
        await form.Find("input[data-testid=search-objective-latency], [data-testid=search-objective-latency] input").ChangeAsync(new() { Value = true });

        Assert.Equal(["nsga2", "random"], Offered());
        Assert.Equal("nsga2", Strategy().Find("input").GetAttribute("value"));
        Assert.Contains("keeps a Pareto front", form.Markup);

        await form.Find("button[data-testid=start-search-button]").ClickAsync(new());

        Assert.NotNull(sent);
        Assert.Equal(["latency", "params"], sent.Objectives);
        Assert.Equal("nsga2", sent.Strategy);
        Assert.Equal("image", sent.Task);
    }

    [Fact]
    public async Task DroppingEveryObjectiveBringsBackTheSingleObjectiveStrategiesAndSendsNone()
    {
        await using var context = Context();
        SearchRequest? sent = null;

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d1")
            .Add(f => f.ImageClasses, 10)
            .Add(f => f.Launch, (request, _) =>
            {
                sent = request;
                return Task.FromResult(new SearchLaunch("s4", new Dictionary<string, string[]>()));
            }));
        var strategy = form.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Strategy");

        await form.Find("input[data-testid=search-objective-latency], [data-testid=search-objective-latency] input").ChangeAsync(new() { Value = true });
        Assert.Equal("nsga2", strategy.Find("input").GetAttribute("value"));
        await form.Find("input[data-testid=search-objective-latency], [data-testid=search-objective-latency] input").ChangeAsync(new() { Value = false });

        Assert.Equal("tpe", strategy.Find("input").GetAttribute("value"));
        Assert.Equal(["tpe", "evolution", "random"], strategy.FindComponents<MudSelectItem<string>>().Select(i => i.Instance.Value ?? "").Distinct());

        await form.Find("button[data-testid=start-search-button]").ClickAsync(new());

        Assert.NotNull(sent);
        Assert.Null(sent.Objectives);
        Assert.Equal("tpe", sent.Strategy);
    }

    [Fact]
    public async Task ATableFormOffersNoObjectives()
    {
        await using var context = Context();

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d2")
            .Add(f => f.Target, "churn")
            .Add(f => f.Launch, (_, _) => Task.FromResult(new SearchLaunch("s5", new Dictionary<string, string[]>()))));

        Assert.Empty(form.FindAll("[data-testid=search-objectives]"));
    }

    [Fact]
    public async Task ATableFormRefitsTheDeployedModelOnAllRowsByDefaultAndItsSwitchKeepsTheHeldOutModel()
    {
        await using var context = Context();
        SearchRequest? sent = null;

        var form = context.Render<StartSearchForm>(p => p
            .Add(f => f.DatasetId, "d2")
            .Add(f => f.Target, "churn")
            .Add(f => f.Launch, (request, _) =>
            {
                sent = request;
                return Task.FromResult(new SearchLaunch("s6", new Dictionary<string, string[]>()));
            }));

        var refit = form.Find("[data-testid=search-refit]");
        Assert.Contains("Deploy a model refitted on all rows", refit.TextContent);
        Assert.Contains("the winner is refitted on every row", refit.TextContent);

        await form.Find("input[data-testid=search-refit-switch], [data-testid=search-refit-switch] input").ChangeAsync(new() { Value = false });

        Assert.Contains("the very model that was tested", form.Find("[data-testid=search-refit]").TextContent);
        await form.Find("button[data-testid=start-search-button]").ClickAsync(new());
        Assert.NotNull(sent);
        Assert.False(sent.RefitOnAllRows);
    }
}
