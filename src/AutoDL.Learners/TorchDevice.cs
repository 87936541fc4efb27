using TorchSharp;

namespace AutoDL.Learners;

/// <summary>
/// Chooses the TorchSharp device a learner trains on from a configured name: <c>auto</c> (CUDA when available,
/// else the CPU), <c>cpu</c> or <c>cuda</c>. Names are case-insensitive.
/// </summary>
public static class TorchDevice
{
    public const string Auto = "auto";
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    /// <summary>The device for <paramref name="requested"/> on this machine.</summary>
    /// <exception cref="ArgumentException">The name is not auto, cpu or cuda.</exception>
    /// <exception cref="InvalidOperationException">CUDA is requested but not available.</exception>
    public static torch.Device Select(string requested) =>
        torch.device(Resolve(requested, torch.cuda.is_available()));

    /// <summary>The device type for <paramref name="requested"/>, given whether CUDA is available.</summary>
    /// <exception cref="ArgumentException">The name is not auto, cpu or cuda.</exception>
    /// <exception cref="InvalidOperationException">CUDA is requested but not available.</exception>
    public static DeviceType Resolve(string requested, bool cudaAvailable)
    {
        ArgumentNullException.ThrowIfNull(requested);
        return requested.Trim().ToLowerInvariant() switch
        {
            Auto => cudaAvailable ? DeviceType.CUDA : DeviceType.CPU,
            Cpu => DeviceType.CPU,
            Cuda when cudaAvailable => DeviceType.CUDA,
            Cuda => throw new InvalidOperationException(
                "The torch device 'cuda' was requested, but CUDA is not available: torch.cuda.is_available() is false. "
                + "Check the NVIDIA driver and GPU, make sure the build uses the CUDA TorchSharp package "
                + "(dotnet build -p:AutoDLTorchDevice=cuda), or request 'auto' or 'cpu'."),
            _ => throw new ArgumentException(
                $"Unknown torch device '{requested}'; expected '{Auto}', '{Cpu}' or '{Cuda}'.", nameof(requested)),
        };
    }
}
