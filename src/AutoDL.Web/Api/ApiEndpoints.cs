namespace AutoDL.Web.Api;

public static class ApiEndpoints
{
    /// <summary>Everything under <c>/api/v1</c>; every endpoint requires a signed-in user or a bearer token (the fallback policy).</summary>
    public static IEndpointRouteBuilder MapAutoDLApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization();
        api.MapAccountApi();
        api.MapDatasetsApi();
        api.MapSearchesApi();
        api.MapModelsApi();
        api.MapReportsApi();
        return endpoints;
    }
}
