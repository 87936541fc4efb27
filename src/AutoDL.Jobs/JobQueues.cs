namespace AutoDL.Jobs;

/// <summary>The queues jobs are sent to. Names are lower case: Hangfire requires it.</summary>
public static class JobQueues
{
    public const string Default = "default";
    public const string Cpu = "cpu";
    public const string Gpu = "gpu";
}
