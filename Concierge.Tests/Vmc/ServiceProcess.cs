using System.Diagnostics;
using Concierge.Client;
using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Vmc;

/// <summary>
/// The real concierge executable (copied next to the tests by the project reference) started as a
/// child process with --address on a private bus, its own state and image directories; killed and
/// cleaned up on dispose. Ready once it owns org.chromium.VmConcierge.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private ServiceProcess(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    public string StateDirectory => Path.Combine(_directory, "state");

    public static async Task<ServiceProcess> StartAsync(PrivateBus bus)
    {
        var directory = Directory.CreateTempSubdirectory("concierge-svc-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "images"));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "concierge"))
        {
            ArgumentList = { "--address", bus.Address, "--state-dir", Path.Combine(directory, "state"), "--image-dir", Path.Combine(directory, "images") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("concierge did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, directory);
        await using var client = await ConciergeClient.ConnectAsync(bus.Address);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.EnsureServiceRunningAsync();
                return service;
            }
            catch (ServiceUnavailableException) when (attempt < 600 && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
