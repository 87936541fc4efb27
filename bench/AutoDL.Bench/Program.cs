using AutoDL.Bench;

// Benchmarks print ratios measured in one run; README.md carries the latest figures and these commands.
var command = args.FirstOrDefault() ?? "help";
switch (command)
{
    case "ingest":
        return await IngestBenchmark.RunAsync(args.Skip(1).ToArray());
    case "search":
        return await SearchBenchmark.RunAsync(args.Skip(1).ToArray());
    case "search-variants":
        return await SearchVariants.RunAsync(args.Skip(1).ToArray());
    case "tabular":
        return await TabularBenchmark.RunAsync(args.Skip(1).ToArray());
    case "suite":
        return await SuiteBenchmark.RunAsync(args.Skip(1).ToArray());
    case "neural-speed":
        return await NeuralSpeedBenchmark.RunAsync(args.Skip(1).ToArray());
    case "neural-quality":
        return await NeuralQualityBenchmark.RunAsync(args.Skip(1).ToArray());
    default:
        Console.WriteLine("usage: dotnet run -c Release --project bench/AutoDL.Bench -- search [--seeds N] [--quick] | search-variants [--seeds N] [--variants tpe,tpe-normalised,...] | tabular [--seconds S] [--datasets iris,diabetes,...] [--synthetic-rows N] | suite [--seconds 60] [--splits 3] [--datasets sonar,glass,...] [--data DIR] [--svm-max-rows N] | ingest [--rows N] | neural-speed [--threads N] [--steps K] [--repeats R] [--networks mlp,cnn] [--mlp-batch 128] [--cnn-batch 64] [--optimizer adam|sgd] [--ours-only] | neural-quality [--datasets digits,fashion] [--digits-seconds 420] [--fashion-seconds 1800] [--fashion-train-limit N] [--fashion-test-limit N] [--seed 0] [--threads N]");
        return command == "help" ? 0 : 2;
}
