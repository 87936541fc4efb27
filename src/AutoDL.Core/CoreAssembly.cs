namespace AutoDL.Core;

/// <summary>
/// Marks the Core assembly: dataset schema, readers and profiling, search spaces, samplers, pruners, the search loop,
/// metrics and explainers live here, free of I/O frameworks (no ASP.NET, EF Core, Hangfire, ML.NET or TorchSharp).
/// </summary>
public static class CoreAssembly;
