namespace AutoDL.Learners.Tabular;

/// <summary>
/// Something that predicts tabular rows: one fitted model (<see cref="TabularPredictor"/>) or a weighted ensemble of
/// them (<see cref="Ensembles.EnsemblePredictor"/>). Rows are column name → value dictionaries.
/// </summary>
public interface ITabularPredictor
{
    TabularTask Task { get; }

    /// <summary>The name of the column predicted.</summary>
    string Target { get; }

    /// <summary>The classes (binary: negative, then positive); empty for regression.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>The columns every row must have.</summary>
    IReadOnlyList<TabularColumn> InputColumns { get; }

    /// <exception cref="ArgumentException">A row lacks a column or has a value of the wrong type; the message names the row index and the column.</exception>
    IReadOnlyList<TabularPrediction> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows);

    /// <summary>Writes the model as one zip file that loading it again reads back.</summary>
    Task SaveAsync(string path, CancellationToken cancellationToken);
}
