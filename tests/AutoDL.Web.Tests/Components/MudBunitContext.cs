using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AutoDL.Web.Tests.Components;

/// <summary>A bUnit context with MudBlazor's services and loose JS interop (MudBlazor calls JS we do not test here).</summary>
public static class MudBunitContext
{
    /// <param name="arrange">More services (authorization, say): bUnit takes none once a component has rendered.</param>
    public static BunitContext Create(Action<BunitContext>? arrange = null)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        arrange?.Invoke(context);
        // As in the app: the shell renders interactively on the server.
        context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return context;
    }
}
