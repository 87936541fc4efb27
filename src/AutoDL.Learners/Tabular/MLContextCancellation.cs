using System.Reflection;
using Microsoft.ML;

namespace AutoDL.Learners.Tabular;

/// <summary>
/// Stops an ML.NET fit in the middle. ML.NET's own way is <c>MLContext.CancelExecution()</c>: it marks the context
/// (and every component it created) cancelled, and trainers and data cursors, which check it at each iteration, tree
/// or row batch, throw <see cref="OperationCanceledException"/>. In Microsoft.ML 5.0.1 that method is internal, made
/// public only by the <c>Microsoft.ML.Experimental</c> package (an extension method calling it), which is not among the
/// packages this project can use; so it is called here through reflection, found once. The tests pin that it exists
/// and stops every learner's fit.
/// </summary>
internal static class MLContextCancellation
{
    private static readonly Action<MLContext> Cancel = typeof(MLContext)
        .GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes)
        ?.CreateDelegate<Action<MLContext>>()
        ?? throw new MissingMethodException(
            "MLContext.CancelExecution() is missing from this version of Microsoft.ML: fits could no longer be stopped in the middle.");

    /// <summary>Cancels <paramref name="context"/> when <paramref name="cancellationToken"/> is cancelled, until the registration is disposed.</summary>
    /// <remarks>
    /// Disposing the registration waits for a callback already running, so after it the context is cancelled exactly
    /// when the token is. A cancelled context stays cancelled (and so do the models it fitted): give each fit its own.
    /// </remarks>
    public static CancellationTokenRegistration CancelWith(this MLContext context, CancellationToken cancellationToken) =>
        cancellationToken.Register(static state => Cancel((MLContext)state!), context);
}
