namespace AutoDL.Core.Datasets;

/// <summary>
/// An uploaded file cannot be used as a dataset. <see cref="Exception.Message"/> is a sentence or two for the person
/// who uploaded it, naming the file and, where they apply, the rows, lines and columns; <see cref="Problems"/> lists
/// each problem on its own (for example each row with the wrong number of values, the first ten of them).
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string fileName, string summary, IReadOnlyList<DatasetProblem> problems)
        : base($"'{fileName}' could not be read. {summary}")
    {
        FileName = fileName;
        Summary = summary;
        Problems = problems;
    }

    public DatasetFormatException(string fileName, DatasetProblem problem)
        : this(fileName, problem.Message, [problem])
    {
    }

    /// <summary>The file's name as the user gave it.</summary>
    public string FileName { get; }

    /// <summary>The message without the file name.</summary>
    public string Summary { get; }

    public IReadOnlyList<DatasetProblem> Problems { get; }
}
