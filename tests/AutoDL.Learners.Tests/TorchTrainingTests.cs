using TorchSharp;
using static TorchSharp.torch;

namespace AutoDL.Learners.Tests;

public sealed class TorchTrainingTests
{
    [Fact]
    public void SmallNetworkLossFallsUnderAdam()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(20240607);
        var device = TorchDevice.Select(TorchDevice.Auto);

        // y = x1 * x2 on [-1, 1]^2: not linear, so the hidden ReLU layer has to learn something.
        var x = (rand(256, 2) * 2 - 1).to(device);
        var y = (x[.., 0] * x[.., 1]).unsqueeze(1);
        var model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1));
        model.to(device);
        var optimizer = optim.Adam(model.parameters(), lr: 0.02);

        float initialLoss = 0;
        float finalLoss = 0;
        for (var step = 0; step < 150; step++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.mse_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0)
            {
                initialLoss = loss.item<float>();
            }

            finalLoss = loss.item<float>();
        }

        Assert.True(float.IsFinite(finalLoss), $"The final loss is {finalLoss}.");
        Assert.True(
            finalLoss < 0.5f * initialLoss,
            $"The loss went from {initialLoss} to {finalLoss}; expected it to fall below half.");
    }
}
