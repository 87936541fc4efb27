using AutoDL.Learners.Neural;

namespace AutoDL.Jobs.Models;

/// <summary>A misclassified test image of a neural model: its PNG in the model's misclassified folder, true and predicted class.</summary>
public sealed record NeuralCardImage(string File, string Actual, string Predicted, double Confidence);

/// <summary>
/// What the model page shows of a neural model beside its metrics: the layer table, parameters, multiply-adds per
/// sample, measured latency, training and validation curves per epoch, and the test images it got wrong. Written once
/// when the model is trained (<see cref="ModelRefitter.NeuralCardPath"/>).
/// </summary>
public sealed record NeuralModelCard(
    string Learner,
    IReadOnlyList<int> InputShape,
    IReadOnlyList<LayerSummary> Layers,
    long Parameters,
    long MultiplyAdds,
    double? LatencyMilliseconds,
    int BestEpoch,
    double LoadShare,
    IReadOnlyList<EpochRecord> Epochs,
    IReadOnlyList<NeuralCardImage> Misclassified,
    int TrainImages,
    int ValidationImages,
    int TestImages);
