using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;
using AutoDL.Learners.Tabular;

namespace AutoDL.Learners.Tests.Tabular;

public sealed class TabularTrainerTests(TabularTrainerTests.Tables tables) : IClassFixture<TabularTrainerTests.Tables>
{
    /// <summary>Iris and the generated regression table, loaded once for the class.</summary>
    public sealed class Tables : IDisposable
    {
        private readonly TemporaryFolder _folder = new();

        public Tables()
        {
            Iris = TabularExperiment.LoadAsync(TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = 3 }, CancellationToken.None)
                .GetAwaiter().GetResult();
            var regression = TabularTestData.WriteRegression(_folder.File("regression.csv"));
            Regression = TabularExperiment.LoadAsync(
                    regression,
                    new TabularExperimentOptions("y") { Seed = 3, Learners = TabularLearners.Supported(TabularTask.Regression) },
                    CancellationToken.None)
                .GetAwaiter().GetResult();
            BinaryIris = TabularExperiment.LoadAsync(
                    TabularTestData.WriteBinaryIris(_folder.File("iris-binary.csv")), new TabularExperimentOptions("species") { Seed = 3 }, CancellationToken.None)
                .GetAwaiter().GetResult();
            EveryLearnerIris = TabularExperiment.LoadAsync(
                    TabularTestData.Iris, new TabularExperimentOptions("species") { Seed = 3, Learners = TabularLearners.Supported(TabularTask.Multiclass) }, CancellationToken.None)
                .GetAwaiter().GetResult();
            EveryLearnerBinaryIris = TabularExperiment.LoadAsync(
                    TabularTestData.WriteBinaryIris(_folder.File("iris-binary-every-learner.csv")),
                    new TabularExperimentOptions("species") { Seed = 3, Learners = TabularLearners.Supported(TabularTask.Binary) },
                    CancellationToken.None)
                .GetAwaiter().GetResult();
        }

        public TabularExperiment Iris { get; }

        /// <summary>Versicolor against virginica: the two iris classes that overlap.</summary>
        public TabularExperiment BinaryIris { get; }

        public TabularExperiment Regression { get; }

        /// <summary><see cref="Iris"/> with every supported learner in its space (the default learners leave the MLP out).</summary>
        public TabularExperiment EveryLearnerIris { get; }

        /// <summary><see cref="BinaryIris"/> with every supported learner in its space.</summary>
        public TabularExperiment EveryLearnerBinaryIris { get; }

        public void Dispose() => _folder.Dispose();
    }

    /// <summary>Prunes every trial at its second report (step 1).</summary>
    private sealed class PruneAtSecondFold : IPruner
    {
        public bool ShouldPrune(PruningContext context) => context.Step >= 1;
    }

    public static TheoryData<string> AllLearners => [.. TabularLearners.Supported(TabularTask.Multiclass)];

    [Theory]
    [MemberData(nameof(AllLearners))]
    public async Task EveryLearnerClassifiesIrisWellWithItsDefaults(string learner)
    {
        var parameters = TabularSearchSpace.Defaults(tables.EveryLearnerIris.Space, learner);
        var reports = new List<(int Step, double Value)>();

        var result = await new TabularTrainer(tables.EveryLearnerIris).CrossValidateAsync(
            parameters, (step, value, _) => { reports.Add((step, value)); return Task.CompletedTask; }, CancellationToken.None);

        Assert.True(result.Mean > 0.85, $"{learner}: cross-validated accuracy {result.Mean:0.###} ({string.Join(", ", result.FoldScores.Select(s => s.ToString("0.###")))}).");
        Assert.Equal(5, result.FoldScores.Count);
        Assert.Equal([0, 1, 2, 3, 4], reports.Select(r => r.Step));
        Assert.Equal(result.Mean, reports[^1].Value, 12);
    }

    [Theory]
    [MemberData(nameof(AllLearners))]
    public async Task EveryLearnerRanksTheTwoOverlappingIrisClassesWellWithItsDefaults(string learner)
    {
        Assert.Equal(TabularTask.Binary, tables.EveryLearnerBinaryIris.Task);
        Assert.Equal(TabularMetric.Auc, tables.EveryLearnerBinaryIris.Metric);

        var result = await new TabularTrainer(tables.EveryLearnerBinaryIris).CrossValidateAsync(
            TabularSearchSpace.Defaults(tables.EveryLearnerBinaryIris.Space, learner), null, CancellationToken.None);

        Assert.True(result.Mean > 0.9, $"{learner}: cross-validated AUC {result.Mean:0.###}.");
    }

    [Theory]
    [MemberData(nameof(AllLearners))]
    public async Task EveryLearnerFitsTheGeneratedRegressionWithItsDefaults(string learner)
    {
        var parameters = TabularSearchSpace.Defaults(tables.Regression.Space, learner);
        var targets = tables.Regression.Split.TrainingRows
            .Select(r => (double)((SingleTableColumn)tables.Regression.Table["__autodl.label"]).Values[r]).ToList();
        var mean = targets.Average();
        var spread = Math.Sqrt(targets.Average(t => (t - mean) * (t - mean)));

        var result = await new TabularTrainer(tables.Regression).CrossValidateAsync(parameters, null, CancellationToken.None);

        Assert.True(result.Mean < 0.6 * spread, $"{learner}: cross-validated RMSE {result.Mean:0.###} against a target spread of {spread:0.###}.");
    }

    [Fact]
    public async Task AForestWhoseLeavesMustHoldMoreRowsThanItsBagsHaveStillMakesAModel()
    {
        // 300 rows: 192 to fit on per fold, bags of 134; leaves of 128 rows could not split any tree (NaN predictions).
        var parameters = new Dictionary<string, object>(TabularSearchSpace.Defaults(tables.Regression.Space, TabularLearners.FastForest), StringComparer.Ordinal)
        {
            [TabularParameters.FastForestMinExamplesPerLeaf] = 128L,
        };

        var result = await new TabularTrainer(tables.Regression).CrossValidateAsync(parameters, null, CancellationToken.None);

        Assert.All(result.FoldScores, score => Assert.True(double.IsFinite(score), $"fold RMSE {score}"));
    }

    [Fact]
    public void OnlyAForestsLeafSizeIsLoweredAndOnlyWhenItsRowsCannotSplit()
    {
        IReadOnlyDictionary<string, object> Forest(long minimum) => new Dictionary<string, object>
        {
            [TabularParameters.Learner] = TabularLearners.FastForest, [TabularParameters.FastForestMinExamplesPerLeaf] = minimum,
        };
        IReadOnlyDictionary<string, object> tree = new Dictionary<string, object>
        {
            [TabularParameters.Learner] = TabularLearners.FastTree, [TabularParameters.FastTreeMinExamplesPerLeaf] = 128L,
        };

        Assert.Equal(99L, TabularPipeline.FitToRows(Forest(111), 283)[TabularParameters.FastForestMinExamplesPerLeaf]);
        var small = Forest(10);
        Assert.Same(small, TabularPipeline.FitToRows(small, 283));
        Assert.Equal(1L, TabularPipeline.FitToRows(Forest(5), 2)[TabularParameters.FastForestMinExamplesPerLeaf]);
        Assert.Same(tree, TabularPipeline.FitToRows(tree, 10));
    }

    [Fact]
    public async Task AShortSearchOnIrisFindsAGoodModel()
    {
        var store = new InMemoryTrialStore();
        var id = await store.CreateSearchAsync(tables.Iris.SearchSpec(new Budget(Trials: 8)), CancellationToken.None);
        var runner = new SearchRunner(store, new TpeSampler(new TpeOptions { StartupTrials = 4 }), new NopPruner(), TimeProvider.System, new SearchRunnerOptions());

        var summary = await runner.RunAsync(id, "test", new TabularTrainer(tables.Iris).Objective, CancellationToken.None);

        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        Assert.Equal(8, summary.Complete);
        var best = trials.Where(t => t.State == TrialState.Complete).MaxBy(t => t.Value!.Value)!;
        Assert.True(best.Value >= 0.93, $"The best of 8 trials scored {best.Value:0.###}: {string.Join("; ", trials.Select(t => $"{t.Value:0.###} {string.Join(",", tables.Iris.Space.ToExternal(t.Params).Select(kv => $"{kv.Key}={kv.Value}"))}"))}.");
        Assert.All(trials, t => Assert.Equal(5, t.Intermediate.Count));
    }

    [Fact]
    public async Task APrunerThatStopsAtTheSecondFoldLeavesPrunedTrials()
    {
        var store = new InMemoryTrialStore();
        var spec = tables.Iris.SearchSpec(new Budget(Trials: 3)) with
        {
            Space = TabularSearchSpace.For(TabularTask.Multiclass, TabularTestData.Iris, "species", [TabularLearners.LightGbm]),
        };
        var id = await store.CreateSearchAsync(spec, CancellationToken.None);
        var runner = new SearchRunner(store, new RandomSampler(), new PruneAtSecondFold(), TimeProvider.System, new SearchRunnerOptions());

        var summary = await runner.RunAsync(id, "test", new TabularTrainer(tables.Iris).Objective, CancellationToken.None);

        Assert.Equal(3, summary.Pruned);
        var trials = await store.GetTrialsAsync(id, CancellationToken.None);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Pruned, t.State);
            Assert.Equal([0, 1], t.Intermediate.Select(i => i.Step));
        });
    }

    [Fact]
    public async Task ACancelledTrialStopsBeforeItsNextFit()
    {
        using var cancellation = new CancellationTokenSource();
        var folds = 0;
        var parameters = TabularSearchSpace.Defaults(tables.Iris.Space, TabularLearners.LightGbm);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new TabularTrainer(tables.Iris).CrossValidateAsync(
            parameters,
            async (_, _, _) =>
            {
                folds++;
                await cancellation.CancelAsync();
            },
            cancellation.Token));

        Assert.Equal(1, folds);
    }

    [Fact]
    public async Task ParametersOfAnotherSpaceAreRejected()
    {
        var parameters = new Dictionary<string, object> { [TabularParameters.Learner] = "xgboost" };

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => new TabularTrainer(tables.Iris).CrossValidateAsync(parameters, null, CancellationToken.None));

        Assert.Contains("'xgboost'", error.Message, StringComparison.Ordinal);
    }
}
