using System.Diagnostics;
using AutoDL.Core.Search;
using AutoDL.Core.Search.Tpe;
using AutoDL.Data;
using AutoDL.Data.Search;
using Microsoft.EntityFrameworkCore;

namespace AutoDL.Bench;

/// <summary>
/// The SQLite trial store's ask + tell round trip with 1,000 finished trials over 10 parameters, as a worker runs it
/// (a write transaction per ask, WAL, the product's connection settings), against the in-memory store in the same run.
/// </summary>
public static class StoreBenchmark
{
    private const int Finished = 1000;
    private const int Measured = 60;

    public static async Task PrintAsync()
    {
        var space = SearchSpace.Create(Enumerable.Range(0, 10).Select(i => new ParameterSpec($"x{i}", new FloatDistribution(-5, 5))));
        var spec = new SearchSpec(space, [Direction.Minimize], 1, new Budget(Trials: Finished + Measured + 10));
        var folder = Directory.CreateTempSubdirectory("autodl-bench-").FullName;
        try
        {
            var connection = $"Data Source={Path.Combine(folder, "autodl.db")}";
            await using (var db = NewContext(connection))
            {
                await db.Database.MigrateAsync();
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }

            await using var context = NewContext(connection);
            var sqlite = new EfTrialStore(context, TimeProvider.System);
            var memory = new InMemoryTrialStore();
            Console.WriteLine();
            Console.WriteLine($"Store: ask + tell round trip with {Finished} finished trials over 10 parameters (median / p90 of {Measured}; goal: SQLite random < 10 ms).");
            foreach (var (name, sampler) in new (string, ISampler)[] { ("random", new RandomSampler()), ("tpe", new TpeSampler()) })
            {
                var onDisk = await MeasureAsync(sqlite, spec, sampler);
                var inMemory = await MeasureAsync(memory, spec, sampler);
                Console.WriteLine($"  {name,-7} SQLite {Stats.Median(onDisk):0.00} / {Stats.Quantile(onDisk, 0.9):0.00} ms · in memory {Stats.Median(inMemory):0.00} / {Stats.Quantile(inMemory, 0.9):0.00} ms");
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static AppDbContext NewContext(string connection) =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseAutoDLSqlite(connection).Options);

    private static async Task<List<double>> MeasureAsync(ITrialStore store, SearchSpec spec, ISampler sampler)
    {
        var id = await store.CreateSearchAsync(spec, CancellationToken.None);
        var random = new RandomSampler();
        for (var i = 0; i < Finished; i++)
        {
            await RoundTripAsync(store, id, spec, random);
        }

        var times = new List<double>();
        for (var i = 0; i < Measured; i++)
        {
            var watch = Stopwatch.StartNew();
            await RoundTripAsync(store, id, spec, sampler);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return times.Skip(10).ToList();
    }

    private static async Task RoundTripAsync(ITrialStore store, string id, SearchSpec spec, ISampler sampler)
    {
        var trial = await store.AskAsync(id, "bench", (number, trials) =>
            sampler.Sample(new SamplingContext(spec.Space, spec.Directions, trials, number, SamplerRandom.For(spec.Seed, number))), CancellationToken.None);
        await store.TellAsync(id, trial!.Number, TrialOutcome.Complete(trial.Params.Values.Sum(v => v * v)), CancellationToken.None);
    }
}
