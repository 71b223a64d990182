using Concierge.Service.Hosting;
using Concierge.Service.Logging;
using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

// The concierge service: see Hosting/ServiceOptions.cs for the command line.
ServiceOptions options;
try
{
    options = ServiceOptions.Parse(args, Environment.GetEnvironmentVariable);
}
catch (ArgumentException e)
{
    await Console.Error.WriteAsync($"concierge: {e.Message}\n{ServiceOptions.Usage}");
    return 64;
}
if (options.ShowHelp)
{
    await Console.Out.WriteAsync(ServiceOptions.Usage);
    return 0;
}

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Is(options.LogLevel)
    .Enrich.FromLogContext()
    .WriteToConsole(ServiceLogging.StdoutIsJournal())
    .CreateLogger();
try
{
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = args });
    builder.Services.AddSerilog();
    builder.Services.AddSingleton(options);
    builder.Services.AddSingleton(Log.Logger);
    builder.Services.AddSingleton<ServiceNotifier>();
    var runtime = new KvmVmInstanceFactory(new VmRuntimeOptions { GuestDirectory = options.ImageDirectory }, Log.Logger);
    builder.Services.AddSingleton(runtime);
    builder.Services.AddSingleton<IVmInstanceFactory>(runtime);
    builder.Services.AddHostedService<ConciergeHostedService>();
    // The unit's TimeoutStopSec is 90 s; VM stops escalate within 50 s, so this leaves room.
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(80));
    builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
    using var host = builder.Build();
    await host.RunAsync();
    return Environment.ExitCode;
}
catch (Exception e)
{
    Log.Fatal(e, "concierge failed: {Reason}", e.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
