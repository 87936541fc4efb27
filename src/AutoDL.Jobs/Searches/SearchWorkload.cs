using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Searches;

/// <summary>
/// What a search's workers train, loaded once per worker: a table (<see cref="TabularWorkload"/>) or a set of images
/// (<see cref="ImageWorkload"/>). The search loop only needs the space, the objective and where to start.
/// </summary>
public abstract class SearchWorkload : IDisposable
{
    public abstract SearchSpace Space { get; }

    /// <summary>Trains and scores one trial.</summary>
    public abstract TrialObjective Objective { get; }

    /// <summary>The known-good first trials TPE and evolution try before they explore.</summary>
    public abstract IReadOnlyList<IReadOnlyDictionary<string, double>> StartingPoints { get; }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>A tabular search's table, split and folds.</summary>
public sealed class TabularWorkload(TabularExperiment experiment) : SearchWorkload
{
    public TabularExperiment Experiment => experiment;

    public override SearchSpace Space => experiment.Space;

    public override TrialObjective Objective { get; } = new TabularTrainer(experiment).Objective;

    public override IReadOnlyList<IReadOnlyDictionary<string, double>> StartingPoints => TabularSearchSpace.StartingPoints(experiment.Space);
}

/// <summary>An image search's decoded images, split and network space.</summary>
public sealed class ImageWorkload(ImageExperiment experiment) : SearchWorkload
{
    public ImageExperiment Experiment => experiment;

    public override SearchSpace Space => experiment.Space;

    public override TrialObjective Objective => experiment.Objective;

    public override IReadOnlyList<IReadOnlyDictionary<string, double>> StartingPoints => experiment.StartingPoints();

    public override void Dispose()
    {
        experiment.Dispose();
        base.Dispose();
    }
}
