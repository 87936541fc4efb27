using System.Text.Json;
using System.Text.Json.Serialization;
using AutoDL.Learners;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;

namespace AutoDL.Jobs.Searches;

/// <summary>How a search chooses its trials' parameters.</summary>
public enum SearchStrategy
{
    Tpe,
    Evolution,
    Random,

    /// <summary>NSGA-II, for searches with more than one objective.</summary>
    Nsga2,
}

/// <summary>How a search stops poor trials early; the steps are the cross-validation folds.</summary>
public enum SearchPrunerKind
{
    None,
    Median,
    Asha,
}

/// <summary>What a search learns from: a table (ML.NET learners) or a zip of image folders (neural networks).</summary>
public enum SearchKind
{
    Tabular,
    Images,
}

/// <summary>Where trials train. Tabular learners (ML.NET) run on the CPU whatever is asked.</summary>
public enum SearchDevice
{
    Auto,
    Cpu,
    Cuda,
}

/// <summary>The budget as the user gave it (after defaults): trials, seconds of wall clock, or both.</summary>
public sealed record SearchBudgetSettings(int? Trials, double? Seconds);

/// <summary>
/// Everything a search was asked to do, validated and with defaults filled in (stored as <c>SearchRow.SettingsJson</c>,
/// for the job, the pages and the audit trail). <see cref="Task"/> is the inferred task when none was asked;
/// <see cref="Metric"/> is null until the job has read the data where the default depends on the class balance
/// (multiclass), and the metric used from then on.
/// </summary>
public sealed record SearchSettings
{
    public required string DatasetId { get; init; }
    public required string Target { get; init; }

    /// <summary>Tabular: the target's task. Images: <see cref="TabularTask.Binary"/> or <see cref="TabularTask.Multiclass"/> by the number of classes.</summary>
    public required TabularTask Task { get; init; }

    public SearchKind Kind { get; init; } = SearchKind.Tabular;
    public TabularMetric? Metric { get; init; }
    public SearchStrategy Strategy { get; init; } = SearchStrategy.Tpe;

    /// <summary>The learners searched over (canonical names, canonical order).</summary>
    public required IReadOnlyList<string> Learners { get; init; }

    public required SearchBudgetSettings Budget { get; init; }
    public int Parallelism { get; init; } = 1;
    public SearchDevice Device { get; init; } = SearchDevice.Auto;
    public int Seed { get; init; }
    public SearchPrunerKind Pruner { get; init; } = SearchPrunerKind.Median;
    public double TestFraction { get; init; } = 0.2;
    public int Folds { get; init; } = 5;
    public IReadOnlyList<string> SensitiveColumns { get; init; } = [];

    /// <summary>
    /// Tabular: after the winner (or ensemble, or any trial refitted on request) is tested once on the held-out rows,
    /// the deployed model is refitted on every row, test rows included; false keeps the model fitted on the training
    /// rows. Images: always false (networks are trained on the training images only). Settings stored before this
    /// existed read as true.
    /// </summary>
    public bool RefitOnAllRows { get; init; } = true;

    /// <summary>The rows the deployed model is fitted on.</summary>
    [JsonIgnore]
    public FittedOn DeployedFit => RefitOnAllRows && Kind == SearchKind.Tabular ? FittedOn.AllRows : FittedOn.TrainingRows;

    /// <summary>Images: the side images are squeezed to; null: the dataset's own up to 64 pixels (<see cref="Core.Datasets.Images.ImageDecoder.DefaultSize"/>).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Images: the share of the training images trials validate on.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Images: the largest epoch cap a trial may draw.</summary>
    public int MaxEpochs { get; init; } = 30;

    /// <summary>Image searches: objectives minimised beside the metric (<see cref="NeuralObjectives"/>), in the order of the trials' values after it.</summary>
    public IReadOnlyList<string> Objectives { get; init; } = [];

    /// <summary>The task's name for the API and the pages: <c>image</c> for image searches.</summary>
    public string TaskName => Kind == SearchKind.Images ? SearchNames.ImageTask : Task.Name();

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="InvalidDataException">The JSON is not a search's settings.</exception>
    public static SearchSettings FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<SearchSettings>(json, Json) ?? throw new InvalidDataException("The search's settings are empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The search's stored settings cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The image experiment these settings describe, its trials on <paramref name="threads"/> threads (0: every core).</summary>
    public ImageExperimentOptions ImageOptions(int threads = 0) => new()
    {
        Metric = Metric,
        TestFraction = TestFraction,
        ValidationFraction = ValidationFraction,
        Seed = Seed,
        MaxEpochs = MaxEpochs,
        Device = Device.ToString().ToLowerInvariant(),
        Objectives = Objectives,
        Threads = threads,
    };

    /// <summary>The experiment these settings describe, over <paramref name="data"/>.</summary>
    public TabularExperimentOptions ExperimentOptions() => new(Target)
    {
        Task = Task,
        Metric = Metric,
        TestFraction = TestFraction,
        Folds = Folds,
        Seed = Seed,
        Learners = Learners.ToList(),
    };
}

/// <summary>The names the API and the pages use for tasks and metrics.</summary>
public static class SearchNames
{
    /// <summary>The task of image searches.</summary>
    public const string ImageTask = "image";

    public static string Name(this TabularTask task) => task switch
    {
        TabularTask.Binary => "binary",
        TabularTask.Multiclass => "multiclass",
        _ => "regression",
    };

    public static string Name(this TabularMetric metric) => metric switch
    {
        TabularMetric.Auc => "auc",
        TabularMetric.Accuracy => "accuracy",
        TabularMetric.MacroF1 => "macro_f1",
        TabularMetric.BalancedAccuracy => "balanced_accuracy",
        TabularMetric.LogLoss => "log_loss",
        TabularMetric.Mae => "mae",
        TabularMetric.RSquared => "r2",
        _ => "rmse",
    };

    public static string Name(this Core.Search.Direction direction) =>
        direction == Core.Search.Direction.Maximize ? "maximize" : "minimize";

    public static readonly IReadOnlyList<string> MetricNames = ["auc", "accuracy", "balanced_accuracy", "macro_f1", "log_loss", "rmse", "mae", "r2"];

    /// <summary>Reads a metric name, forgiving case and separators (<c>macroF1</c>, <c>macro-f1</c>, <c>f1</c>).</summary>
    public static TabularMetric? ParseMetric(string name) => Squash(name) switch
    {
        "auc" or "rocauc" => TabularMetric.Auc,
        "accuracy" or "acc" => TabularMetric.Accuracy,
        "macrof1" or "f1" => TabularMetric.MacroF1,
        "rmse" => TabularMetric.Rmse,
        "balancedaccuracy" or "balancedacc" => TabularMetric.BalancedAccuracy,
        "logloss" or "crossentropy" => TabularMetric.LogLoss,
        "mae" => TabularMetric.Mae,
        "r2" or "rsquared" => TabularMetric.RSquared,
        _ => null,
    };

    private static string Squash(string name) =>
        new([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
}
