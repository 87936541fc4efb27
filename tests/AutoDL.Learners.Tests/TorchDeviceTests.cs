using TorchSharp;

namespace AutoDL.Learners.Tests;

public sealed class TorchDeviceTests
{
    [Fact]
    public void AutoPicksTheCpuUnlessTorchSeesCuda()
    {
        // The CPU TorchSharp package (the default flavour) never sees CUDA, so here this is the CPU.
        var expected = torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;

        Assert.Equal(expected, TorchDevice.Select(TorchDevice.Auto).type);
    }

    [Fact]
    public void RequestingCudaWithoutCudaFailsWithAClearMessage()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TorchDevice.Resolve("cuda", cudaAvailable: false));

        Assert.Contains("'cuda' was requested", error.Message);
        Assert.Contains("torch.cuda.is_available() is false", error.Message);
    }

    [Theory]
    [InlineData("auto", true, DeviceType.CUDA)]
    [InlineData("auto", false, DeviceType.CPU)]
    [InlineData("cuda", true, DeviceType.CUDA)]
    [InlineData("cpu", true, DeviceType.CPU)]
    [InlineData(" CPU ", false, DeviceType.CPU)]
    public void NamesResolveToTheExpectedDeviceType(string requested, bool cudaAvailable, DeviceType expected) =>
        Assert.Equal(expected, TorchDevice.Resolve(requested, cudaAvailable));

    [Fact]
    public void AnUnknownNameIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => TorchDevice.Resolve("tpu", cudaAvailable: false));

        Assert.Contains("'tpu'", error.Message);
    }
}
