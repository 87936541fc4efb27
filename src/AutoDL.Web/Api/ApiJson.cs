using System.Text.Json;

namespace AutoDL.Web.Api;

/// <summary>Reads request bodies so that malformed JSON is answered as a validation problem naming where it is wrong.</summary>
public static class ApiJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>The body as <typeparamref name="T"/>, or a 400 problem naming the field (<c>budget.trials</c>) or <c>body</c>.</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.HasJsonContentType() is false)
        {
            return (null, Invalid("body", "Send the request as JSON (Content-Type: application/json)."));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Options, cancellationToken);
            return value is null ? (null, Invalid("body", "The body is empty: send a JSON object.")) : (value, null);
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : "";
            return (null, Invalid(field, $"'{field}' is not valid here{where}: check its type and the JSON around it."));
        }
    }

    public static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "The request is not valid");

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: detail);
}
