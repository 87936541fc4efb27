using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AutoDL.Web.Tests.Components;

/// <summary>A bUnit context with MudBlazor's services and loose JS interop (MudBlazor calls JS we do not test here).</summary>
public static class MudBunitContext
{
    public static BunitContext Create()
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        return context;
    }
}
