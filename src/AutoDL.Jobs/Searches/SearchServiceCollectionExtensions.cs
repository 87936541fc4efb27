using AutoDL.Jobs.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutoDL.Jobs.Searches;

public static class SearchServiceCollectionExtensions
{
    /// <summary>Searches and models: the launcher, queries, jobs, refits and the predictor cache, with options from configuration.</summary>
    public static IServiceCollection AddAutoDLSearches(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection(SearchOptions.Section).Get<SearchOptions>() ?? new SearchOptions());
        services.AddSingleton(configuration.GetSection(ModelOptions.Section).Get<ModelOptions>() ?? new ModelOptions());
        services.AddSingleton(configuration.GetSection(NeuralOptions.Section).Get<NeuralOptions>() ?? new NeuralOptions());
        services.AddSingleton(configuration.GetSection(EnsembleOptions.Section).Get<EnsembleOptions>() ?? new EnsembleOptions());
        services.AddSingleton<JobServers>();
        services.AddScoped<SearchLauncher>();
        services.AddScoped<SearchQueries>();
        services.AddScoped<ModelService>();
        services.AddSingleton<PredictorCache>();
        services.AddSingleton<PublishingTrialStore>();
        services.AddSingleton<ModelRefitter>();
        services.AddSingleton<EnsembleReports>();
        services.AddSingleton<SearchEnsembler>();
        services.AddTransient<SearchJob>();
        services.AddTransient<RefitJob>();
        services.AddSingleton(configuration.GetSection(Reports.ReportOptions.Section).Get<Reports.ReportOptions>() ?? new Reports.ReportOptions());
        services.AddScoped<Reports.ReportService>();
        services.AddTransient<Reports.ExplainJob>();
        return services;
    }
}
