using AutoDL.Data;
using AutoDL.Worker;

using var host = WorkerHost.CreateBuilder(args).Build();
await host.Services.InitializeAutoDLDatabaseAsync(CancellationToken.None);
await host.RunAsync();
