using Microsoft.AspNetCore.Mvc;

namespace AutoDL.Web.Auth;

/// <summary>Writes RFC 9457 problem responses from places that have no endpoint result to return (authentication events).</summary>
public static class Problems
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
