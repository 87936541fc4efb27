namespace AutoDL.Learners;

/// <summary>Which rows the model people download and call (the deployed model) was fitted on.</summary>
public enum FittedOn
{
    /// <summary>The training rows only: the same model the test rows scored.</summary>
    TrainingRows,

    /// <summary>
    /// Every row, training and test, after the model fitted on the training rows was tested once on the test rows (as
    /// H2O's final models and AutoGluon's <c>refit_full</c> do); its test figures are those of that held-out model.
    /// </summary>
    AllRows,
}

/// <summary>
/// What a model was fitted on: the deployed model's rows (<see cref="Rows"/>) and the split its test figures come from,
/// a model fitted on <see cref="TrainingRows"/> and tested once on <see cref="TestRows"/>. Image models also count the
/// training images held out to choose the epoch (<see cref="ValidationRows"/>), which are not among <see cref="TrainingRows"/>.
/// </summary>
public sealed record ModelFit(FittedOn FittedOn, int Rows, int TrainingRows, int TestRows, int? ValidationRows = null);
