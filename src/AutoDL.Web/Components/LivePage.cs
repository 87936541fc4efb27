using AutoDL.Jobs.Events;
using Microsoft.AspNetCore.Components;

namespace AutoDL.Web.Components;

/// <summary>
/// A page that shows stored state and reads it again whenever a change that concerns it is announced (DESIGN.md,
/// "Live progress": subscribe after the first render, marshal with InvokeAsync, unsubscribe on dispose; never poll).
/// </summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject]
    private InProcessChanges Changes { get; set; } = default!;

    /// <summary>Whether <paramref name="change"/> alters what this page shows.</summary>
    protected abstract bool Concerns(Change change);

    /// <summary>Reads what the page shows from the store.</summary>
    protected abstract Task LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _subscription = Changes.Subscribe(change =>
            {
                if (Concerns(change))
                {
                    _ = InvokeAsync(async () =>
                    {
                        await LoadAsync();
                        StateHasChanged();
                    });
                }
            });
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
