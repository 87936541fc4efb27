using AutoDL.Core.Datasets;
using AutoDL.Core.Search;
using AutoDL.Data;
using AutoDL.Data.Datasets;
using AutoDL.Data.Search;
using AutoDL.Jobs.Events;
using AutoDL.Jobs.Hosting;
using AutoDL.Learners.Neural;
using AutoDL.Learners.Tabular;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Jobs.Searches;

/// <summary>
/// Starts and cancels searches. A request is checked against the dataset's stored schema (the file is not read), so
/// every problem comes back at once, keyed by the field it is about; a valid one becomes a Queued search and
/// <see cref="SearchRow.Parallelism"/> jobs on queue <c>cpu</c>, each running <see cref="SearchJob"/>.
/// </summary>
public sealed class SearchLauncher(
    AppDbContext db, ITrialStore store, IBackgroundJobClient jobs, IChangePublisher changes,
    SearchOptions options, NeuralOptions neural, TimeProvider clock, JobServers servers)
{
    /// <summary>Checks <paramref name="request"/> and, when it is valid, creates the search and enqueues its workers.</summary>
    public async Task<SearchLaunch> LaunchAsync(SearchRequest request, string? userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (settings, space, errors) = await ValidateAsync(request, cancellationToken);
        if (settings is null || space is null)
        {
            return new SearchLaunch(null, errors);
        }

        var direction = (settings.Metric ?? TabularMetric.Accuracy).Direction();
        var budget = new Budget(settings.Budget.Trials, settings.Budget.Seconds is { } s ? TimeSpan.FromSeconds(s) : null);
        IReadOnlyList<Direction> directions = [direction, .. settings.Objectives.Select(_ => Direction.Minimize)];
        var id = await store.CreateSearchAsync(new SearchSpec(space, directions, settings.Seed, budget), cancellationToken);
        var json = settings.ToJson();
        await db.SearchRows.Where(r => r.Id == id).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.DatasetId, settings.DatasetId)
            .SetProperty(x => x.SettingsJson, json)
            .SetProperty(x => x.CreatedBy, userId)
            .SetProperty(x => x.Parallelism, settings.Parallelism)
            .SetProperty(x => x.WorkersFinished, 0)
            .SetProperty(x => x.Status, SearchStatus.Queued), cancellationToken);

        // Neural trials go to GPU workers where asked ('cuda', checked above) or where one listens ('auto').
        var gpu = settings.Kind == SearchKind.Images
            && (settings.Device == SearchDevice.Cuda || (settings.Device == SearchDevice.Auto && servers.AnyListeningOn(JobQueues.Gpu)));
        for (var worker = 0; worker < settings.Parallelism; worker++)
        {
            var number = worker;
            if (gpu)
            {
                jobs.Enqueue<SearchJob>(JobQueues.Gpu, job => job.RunOnGpuAsync(id, number, CancellationToken.None));
            }
            else
            {
                jobs.Enqueue<SearchJob>(JobQueues.Cpu, job => job.RunAsync(id, number, CancellationToken.None));
            }
        }

        changes.Publish(new Change(ChangeKind.Search, id));
        return new SearchLaunch(id, errors);
    }

    /// <summary>
    /// Stops a Queued or Running search: it is Cancelled at once, its finished trials are kept, and its workers stop
    /// within <see cref="SearchOptions.StatusPollSeconds"/> (a trial in the middle of a fold stops after the fold).
    /// </summary>
    public async Task<CancelOutcome> CancelAsync(string searchId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var cancelled = await db.SearchRows
            .Where(s => s.Id == searchId && s.SettingsJson != null && (s.Status == SearchStatus.Queued || s.Status == SearchStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SearchStatus.Cancelled).SetProperty(x => x.FinishedAt, now), cancellationToken);
        if (cancelled > 0)
        {
            changes.Publish(new Change(ChangeKind.Search, searchId));
            return CancelOutcome.Cancelled;
        }

        return await db.SearchRows.AnyAsync(s => s.Id == searchId && s.SettingsJson != null, cancellationToken)
            ? CancelOutcome.AlreadyFinished
            : CancelOutcome.NotFound;
    }

    /// <summary>The settings and search space <paramref name="request"/> asks for, or why not, per field.</summary>
    public async Task<(SearchSettings? Settings, SearchSpace? Space, IReadOnlyDictionary<string, string[]> Errors)> ValidateAsync(
        SearchRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var strategy = ParseEnum<SearchStrategy>(request.Strategy, SearchStrategy.Tpe, "strategy", Add);
        var pruner = ParseEnum<SearchPrunerKind>(request.Pruner, SearchPrunerKind.Median, "pruner", Add);
        var device = ParseEnum<SearchDevice>(request.Device, SearchDevice.Auto, "device", Add);

        var budget = Budget(request.Budget, Add);
        var parallelism = request.Parallelism ?? 1;
        if (parallelism < 1 || parallelism > options.MaxParallelism)
        {
            Add("parallelism", $"Parallelism must be between 1 and {options.MaxParallelism} workers, not {parallelism}.");
        }

        var testFraction = request.TestFraction ?? 0.2;
        if (!double.IsFinite(testFraction) || testFraction <= 0 || testFraction > 0.5)
        {
            Add("testFraction", $"The test fraction must be above 0 and at most 0.5 (the share of rows held out for the final test), not {testFraction}.");
        }

        var folds = request.Folds ?? 5;
        if (folds is < 2 or > 10)
        {
            Add("folds", $"Cross-validation needs 2 to 10 folds, not {folds}.");
        }

        TabularMetric? metric = null;
        if (request.Metric is { } metricName && !string.IsNullOrWhiteSpace(metricName))
        {
            metric = SearchNames.ParseMetric(metricName);
            if (metric is null)
            {
                Add("metric", $"'{metricName}' is not a metric; choose among {string.Join(", ", SearchNames.MetricNames)}.");
            }
        }

        TabularTask? askedTask = null;
        var askedImages = false;
        if (request.Task is { } taskName && !string.IsNullOrWhiteSpace(taskName))
        {
            askedTask = taskName.Trim().ToLowerInvariant() switch
            {
                "binary" => TabularTask.Binary,
                "multiclass" => TabularTask.Multiclass,
                "regression" => TabularTask.Regression,
                _ => null,
            };
            askedImages = taskName.Trim().Equals(SearchNames.ImageTask, StringComparison.OrdinalIgnoreCase);
            if (askedTask is null && !askedImages)
            {
                Add("task", $"'{taskName}' is not a task; choose among binary, multiclass, regression, image (or leave it out to infer it from the dataset and target).");
            }
        }

        // The dataset and its columns.
        DatasetSchema? schema = null;
        DatasetRow? dataset = null;
        if (string.IsNullOrWhiteSpace(request.DatasetId))
        {
            Add("datasetId", "Name the dataset to learn from (its id).");
        }
        else
        {
            dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == request.DatasetId, cancellationToken);
            if (dataset is null)
            {
                Add("datasetId", $"No dataset has the id '{request.DatasetId}'.");
            }
            else if (dataset.Kind == DatasetKind.Images)
            {
                return ValidateImages(request, dataset, metric, strategy, pruner, device, budget, parallelism, testFraction, askedTask, errors, Add);
            }
            else if (askedImages)
            {
                Add("task", $"'{dataset.Name}' is a table; an image task needs an image dataset (a zip with one folder of images per class).");
            }
            else
            {
                schema = dataset.TabularSchema();
                if (schema.RowCount < options.MinRows)
                {
                    Add("datasetId", $"'{dataset.Name}' has {schema.RowCount} data row(s); a search needs at least {options.MinRows}.");
                }
            }
        }

        DatasetColumn? target = null;
        if (string.IsNullOrWhiteSpace(request.Target))
        {
            Add("target", "Name the column to predict.");
        }
        else if (schema is not null)
        {
            target = schema.Columns.FirstOrDefault(c => string.Equals(c.Name, request.Target, StringComparison.Ordinal));
            if (target is null)
            {
                var near = schema.Columns.FirstOrDefault(c => string.Equals(c.Name, request.Target.Trim(), StringComparison.OrdinalIgnoreCase));
                Add("target", near is not null
                    ? $"'{dataset!.Name}' has no column '{request.Target}'; did you mean '{near.Name}'?"
                    : $"'{dataset!.Name}' has no column '{request.Target}'; its columns are {string.Join(", ", schema.Columns.Select(c => $"'{c.Name}'"))}.");
            }
            else if (!schema.Columns.Any(c => c != target && TabularDatasets.IsFeature(c.Type)))
            {
                Add("target", $"Besides '{target.Name}', '{dataset!.Name}' has no column to learn from (the others are identifiers or constants).");
            }
        }

        TabularTask? task = null;
        if (target is not null)
        {
            task = Task(target, askedTask, request.Task is not null && askedTask is null, Add);
        }

        if (task is { } t && metric is { } m && !m.Fits(t))
        {
            var fitting = Enum.GetValues<TabularMetric>().Where(x => x.Fits(t)).Select(x => x.Name());
            Add("metric", $"{m.Name()} does not fit a {t.Name()} task; choose among {string.Join(", ", fitting)}.");
        }

        // Learners, and with them the search space.
        SearchSpace? space = null;
        var learners = request.Learners?.Select(l => (l ?? "").Trim().ToLowerInvariant()).ToList();
        if (task is { } known && schema is not null && target is not null)
        {
            try
            {
                space = TabularSearchSpace.For(known, TabularDatasets.Data(schema, ""), target.Name, learners);
                learners = [.. TabularLearners.Supported(known).Where(l => (learners ?? TabularLearners.Default(known)).Contains(l, StringComparer.Ordinal))];
            }
            catch (ArgumentException e)
            {
                Add("learners", WithoutParameterName(e));
            }
        }
        else if (learners is { Count: 0 })
        {
            Add("learners", "A search needs at least one learner; leave the list out to try every learner that fits the task.");
        }

        var sensitive = request.SensitiveColumns?.ToList() ?? [];
        if (schema is not null)
        {
            foreach (var column in sensitive)
            {
                if (!schema.Columns.Any(c => string.Equals(c.Name, column, StringComparison.Ordinal)))
                {
                    Add("sensitiveColumns", $"'{dataset!.Name}' has no column '{column}'.");
                }
                else if (target is not null && string.Equals(column, target.Name, StringComparison.Ordinal))
                {
                    Add("sensitiveColumns", $"'{column}' is the target; a sensitive column is an input whose groups fairness compares.");
                }
            }
        }

        if (device == SearchDevice.Cuda)
        {
            Add("device", "Tabular learners run on the CPU; 'cuda' is for image searches. Use 'auto' or 'cpu'.");
        }

        if (request.Objectives is { Count: > 0 })
        {
            Add("objectives", "Objectives besides the metric (latency, params) are for image searches; a tabular search optimises its metric alone.");
        }

        if (strategy == SearchStrategy.Nsga2)
        {
            Add("strategy", "NSGA-II is for multi-objective image searches; choose tpe, evolution or random.");
        }

        var result = errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        if (result.Count > 0 || dataset is null || target is null || task is null || space is null || learners is null)
        {
            return (null, null, result);
        }

        var settings = new SearchSettings
        {
            DatasetId = dataset.Id,
            Target = target.Name,
            Task = task.Value,
            // Multiclass defaults depend on the class balance, which the job reads with the data.
            Metric = metric ?? (task == TabularTask.Multiclass ? null : TaskInference.DefaultMetric(task.Value)),
            Strategy = strategy,
            Learners = learners,
            Budget = budget,
            Parallelism = parallelism,
            Device = device,
            Seed = request.Seed ?? Random.Shared.Next(),
            Pruner = pruner,
            TestFraction = testFraction,
            Folds = folds,
            SensitiveColumns = sensitive,
            RefitOnAllRows = request.RefitOnAllRows ?? true,
        };
        return (settings, space, result);
    }

    /// <summary>
    /// The settings of a search over an image dataset: a CNN over its class folders. The target is the class (any
    /// target named must be <c>class</c>); tabular fields (folds, sensitive columns) do not apply.
    /// </summary>
    private (SearchSettings? Settings, SearchSpace? Space, IReadOnlyDictionary<string, string[]> Errors) ValidateImages(
        SearchRequest request, DatasetRow dataset, TabularMetric? metric, SearchStrategy strategy, SearchPrunerKind pruner, SearchDevice device,
        SearchBudgetSettings budget, int parallelism, double testFraction, TabularTask? askedTask, Dictionary<string, List<string>> errors,
        Action<string, string> add)
    {
        var schema = dataset.ImageSchema();
        var classes = schema.Classes.Count;
        if (classes < 2)
        {
            add("datasetId", $"'{dataset.Name}' has {classes} class folder(s); an image search needs at least two classes to tell apart.");
        }

        if (schema.Classes.FirstOrDefault(c => c.Count < 3) is { } small)
        {
            add("datasetId", $"The class '{small.Name}' of '{dataset.Name}' has {small.Count} image(s); every class needs at least 3 (to train on, validate and test).");
        }

        if (askedTask is not null)
        {
            add("task", $"'{dataset.Name}' is an image dataset: its task is 'image' (classifying its images by folder), not {askedTask.Value.Name()}.");
        }

        if (!string.IsNullOrWhiteSpace(request.Target) && !string.Equals(request.Target.Trim(), "class", StringComparison.OrdinalIgnoreCase))
        {
            add("target", $"An image dataset predicts the class of each image (its folder): leave the target out or name it 'class', not '{request.Target}'.");
        }

        var task = classes == 2 ? TabularTask.Binary : TabularTask.Multiclass;
        if (metric is { } m && !m.Fits(task))
        {
            var fitting = Enum.GetValues<TabularMetric>().Where(x => x.Fits(task)).Select(x => x.Name());
            add("metric", $"{m.Name()} does not fit an image task of {classes} classes; choose among {string.Join(", ", fitting)}.");
        }

        var learners = request.Learners?.Select(l => (l ?? "").Trim().ToLowerInvariant()).ToList() ?? [NeuralLearners.Cnn];
        if (learners.Count == 0 || learners.Any(l => l != NeuralLearners.Cnn))
        {
            add("learners", $"Image searches search convolutional networks: learners may be [\"{NeuralLearners.Cnn}\"] (or left out), not [{string.Join(", ", learners.Select(l => $"\"{l}\""))}].");
        }

        var objectives = request.Objectives?.Select(o => (o ?? "").Trim().ToLowerInvariant()).ToList() ?? [];
        if (objectives.FirstOrDefault(o => !NeuralObjectives.All.Contains(o)) is { } unknown)
        {
            add("objectives", $"'{unknown}' is not an objective; besides the metric a search may minimise {string.Join(" and ", NeuralObjectives.All)}.");
        }
        else if (objectives.Distinct().Count() != objectives.Count)
        {
            add("objectives", "Name each objective once.");
        }

        if (objectives.Count > 0 && request.Strategy is { } asked && !string.IsNullOrWhiteSpace(asked) && strategy is not (SearchStrategy.Nsga2 or SearchStrategy.Random))
        {
            add("strategy", $"A search with objectives besides its metric needs a multi-objective strategy: nsga2 (the default) or random, not {asked}.");
        }

        if (objectives.Count == 0 && strategy == SearchStrategy.Nsga2)
        {
            add("strategy", "NSGA-II is for searches with several objectives: add objectives (latency, params) or choose tpe, evolution or random.");
        }

        if (request.Folds is not null)
        {
            add("folds", "Image searches validate on a held-out part of the training images, not on folds: leave folds out.");
        }

        if (request.SensitiveColumns is { Count: > 0 })
        {
            add("sensitiveColumns", "An image dataset has no columns; leave sensitive columns out.");
        }

        if (request.RefitOnAllRows == true)
        {
            add("refitOnAllRows", "Image models keep the network trained on the training images (its epoch chosen on the validation images); they are not refitted on every image. Leave refitOnAllRows out or set it to false.");
        }

        if (device == SearchDevice.Cuda && !servers.AnyListeningOn(JobQueues.Gpu))
        {
            add("device", "No worker listens on the 'gpu' queue, so no trial could run on CUDA. Start a GPU worker (AutoDL__Hangfire__Queues__0=gpu, built with -p:AutoDLTorchDevice=cuda), or use 'auto' or 'cpu'.");
        }

        var result = errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        if (result.Count > 0)
        {
            return (null, null, result);
        }

        var settings = new SearchSettings
        {
            DatasetId = dataset.Id,
            Target = "class",
            Task = task,
            Kind = SearchKind.Images,
            Metric = metric ?? TabularMetric.Accuracy,
            Strategy = objectives.Count > 0 && string.IsNullOrWhiteSpace(request.Strategy) ? SearchStrategy.Nsga2 : strategy,
            Objectives = [.. NeuralObjectives.All.Where(objectives.Contains)],
            Learners = [NeuralLearners.Cnn],
            Budget = budget,
            Parallelism = parallelism,
            Device = device,
            Seed = request.Seed ?? Random.Shared.Next(),
            Pruner = pruner,
            TestFraction = testFraction,
            Folds = 0,
            RefitOnAllRows = false,
            MaxEpochs = Math.Max(2, neural.MaxEpochs),
        };
        return (settings, NeuralSearchSpace.ForImages(settings.MaxEpochs), result);
    }

    private SearchBudgetSettings Budget(SearchBudgetRequest? request, Action<string, string> add)
    {
        if (request is null || (request.Trials is null && request.Seconds is null))
        {
            return new SearchBudgetSettings(options.DefaultTrials, options.DefaultSeconds);
        }

        if (request.Trials is { } trials && (trials < 1 || trials > options.MaxTrials))
        {
            add("budget.trials", $"The trial budget must be between 1 and {options.MaxTrials}, not {trials}.");
        }

        if (request.Seconds is { } seconds && (!double.IsFinite(seconds) || seconds < 1 || seconds > options.MaxSeconds))
        {
            add("budget.seconds", $"The time budget must be between 1 and {options.MaxSeconds:0} seconds, not {seconds}.");
        }

        return new SearchBudgetSettings(request.Trials, request.Seconds);
    }

    private static TabularTask? Task(DatasetColumn target, TabularTask? asked, bool askedBadly, Action<string, string> add)
    {
        var kind = TabularDatasets.Kind(target.Type);
        var distinct = (int)Math.Min(target.UniqueCount, int.MaxValue);
        TabularTask inferred;
        try
        {
            inferred = TaskInference.Infer(kind, distinct);
        }
        catch (ArgumentException)
        {
            add("target", target.Type switch
            {
                ColumnType.Identifier => $"'{target.Name}' holds a different value in every row (an identifier): there is nothing to predict. Pick a column with a class or a number.",
                ColumnType.Constant => $"'{target.Name}' holds {target.UniqueCount} distinct value(s); predicting it needs at least two.",
                ColumnType.Datetime => $"'{target.Name}' holds dates; a target must be a class or a number.",
                _ => $"'{target.Name}' has {target.UniqueCount} distinct value(s); predicting it needs at least two.",
            });
            return null;
        }

        if (askedBadly || asked is not { } task)
        {
            return askedBadly ? null : inferred;
        }

        var numeric = target.Type is ColumnType.Numeric or ColumnType.Integer;
        string? problem = task switch
        {
            TabularTask.Binary when distinct != 2 =>
                $"A binary task needs a target with exactly two values; '{target.Name}' has {target.UniqueCount}{(target.UniqueCountIsLowerBound ? " or more" : "")}.",
            TabularTask.Regression when !numeric =>
                $"A regression target must be numeric; '{target.Name}' is {target.Type.ApiName()}.",
            TabularTask.Multiclass when numeric && distinct > 1000 =>
                $"'{target.Name}' has {target.UniqueCount} distinct numbers: too many to be classes. Choose regression.",
            _ => null,
        };
        if (problem is not null)
        {
            add("task", problem);
            return null;
        }

        return task;
    }

    private static T ParseEnum<T>(string? value, T fallback, string field, Action<string, string> add)
        where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (Enum.TryParse<T>(value.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }

        add(field, $"'{value}' is not a {field}; choose among {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");
        return fallback;
    }

    /// <summary>An argument exception's message without the " (Parameter 'x')" .NET appends.</summary>
    internal static string WithoutParameterName(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
