using TorchSharp;

namespace AutoDL.Learners.Neural;

/// <summary>TorchSharp's intra-op thread count: one setting for the whole process.</summary>
public static class NeuralThreads
{
    /// <summary>Makes tensor operations use <paramref name="threads"/> threads (at least 1).</summary>
    public static void Use(int threads)
    {
        var count = Math.Max(1, threads);
        if (torch.get_num_threads() != count)
        {
            torch.set_num_threads(count);
        }
    }
}
