using System.Diagnostics;
using System.Runtime.InteropServices;
using AutoDL.Core.Search;
using AutoDL.Learners.Neural;
using Xunit.Abstractions;

namespace AutoDL.Learners.Tests.Neural;

/// <summary>
/// Runs alone: it reads the process's memory, which other tests running at once would move. Measured here (2 cores):
/// after a warm-up, the same network trained 200 more times moved the resident memory by −2 to +6 MB and 200 random
/// architectures grew it by 20–27 MB, slowing as it goes (libtorch and oneDNN cache kernels per new shape: with oneDNN's
/// cache off the random run grows about a third less); the managed heap stays within 0.05 MB.
/// </summary>
[Collection(nameof(NeuralMemoryTests))]
[CollectionDefinition(nameof(NeuralMemoryTests), DisableParallelization = true)]
public sealed class NeuralMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public Task TheSameNetworkTrainedTwoHundredTimesKeepsNativeMemoryAndTheManagedHeapFlat() =>
        MeasureAsync(randomArchitectures: false, warmUp: 20, maxResidentGrowthMb: 12);

    [Fact]
    public Task TwoHundredTrialsOfRandomArchitecturesKeepNativeMemoryAndTheManagedHeapFlat() =>
        MeasureAsync(randomArchitectures: true, warmUp: 60, maxResidentGrowthMb: 40);

    private async Task MeasureAsync(bool randomArchitectures, int warmUp, double maxResidentGrowthMb)
    {
        using var experiment = ImageExperiment.Create(ImageExperimentTests.Bars(30), new ImageExperimentOptions { Seed = 1, Device = "cpu", MaxEpochs = 2 });
        var sampler = new RandomSampler();
        async Task TrialsAsync(int from, int count)
        {
            for (var i = from; i < from + count; i++)
            {
                // Architectures and training settings drawn at random (or the default CNN), kept small: 8×8 images, at
                // most 2 epochs, 8 channels a stage; every other trial keeps its network, as refits do.
                var point = randomArchitectures
                    ? sampler.Sample(new SamplingContext(experiment.Space, [Direction.Maximize], [], i, SamplerRandom.For(7, i)))
                    : NeuralSearchSpace.DefaultCnn(experiment.Space);
                var parameters = new Dictionary<string, object>(experiment.Space.ToExternal(point));
                foreach (var stage in Enumerable.Range(0, NeuralSearchSpace.MaxStages).Where(s => parameters.ContainsKey(NeuralParameters.StageChannels(s))))
                {
                    parameters[NeuralParameters.StageChannels(stage)] = 8L;
                    parameters[NeuralParameters.StageBlocks(stage)] = 1L;
                }

                try
                {
                    var result = await experiment.TrainAsync(parameters, null, keepNetwork: i % 2 == 0, CancellationToken.None);
                    result.Network?.Dispose();
                }
                catch (InvalidOperationException)
                {
                    // A diverging draw (SGD at a high learning rate): what it allocated must be released as well.
                }
            }
        }

        await TrialsAsync(0, warmUp);
        var (rss0, heap0) = Measure();
        await TrialsAsync(warmUp, 200);
        var (rss1, heap1) = Measure();
        var rssGrowth = (rss1 - rss0) / 1e6;
        var heapGrowth = (heap1 - heap0) / 1e6;
        output.WriteLine(
            $"After {warmUp} trials: {rss0 / 1e6:0.0} MB resident, {heap0 / 1e6:0.00} MB managed; after 200 more: {rss1 / 1e6:0.0} MB, {heap1 / 1e6:0.00} MB " +
            $"(growth {rssGrowth:0.0} MB, {heapGrowth:0.00} MB).");
        Assert.True(rssGrowth < maxResidentGrowthMb, $"Resident memory grew by {rssGrowth:0.0} MB over 200 trials.");
        Assert.True(heapGrowth < 1, $"The managed heap grew by {heapGrowth:0.00} MB over 200 trials.");
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static (long Resident, long Managed) Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        // Hand freed native memory back to the system first, so what is left is what is still held.
        MallocTrim(0);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return (process.WorkingSet64, GC.GetTotalMemory(forceFullCollection: true));
    }
}
