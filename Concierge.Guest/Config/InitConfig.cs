using System.Text.Json;

namespace Concierge.Guest.Config;

/// <summary>
/// The init's configuration file (JSON; /etc/concierge/init.json in the initramfs, or the
/// path in the kernel argument concierge.config=). Services start in file order, like
/// maitred's alphabetically ordered startup files.
/// </summary>
internal sealed record InitConfig
{
    public string Hostname { get; set; } = "concierge-vm";

    public ServiceConfig[] Services { get; set; } = [];

    /// <summary>The container for services with inContainer, and for the host's Exec.</summary>
    public ContainerConfig? Container { get; set; }

    public int MaxRestarts { get; set; } = 10;

    public int RestartWindowSeconds { get; set; } = 30;

    /// <summary>Time between SIGTERM and SIGKILL in an orderly shutdown.</summary>
    public int ShutdownGraceMs { get; set; } = 5000;

    public int ExecTimeoutMs { get; set; } = 30_000;

    public int ExecOutputLimitBytes { get; set; } = 64 * 1024;

    /// <summary>Reads and validates a configuration file.</summary>
    public static InitConfig Load(string path)
    {
        InitConfig? config;
        try
        {
            using var stream = File.OpenRead(path);
            config = JsonSerializer.Deserialize(stream, ConfigJsonContext.Default.InitConfig);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ConfigException($"cannot read config {path}: {e.Message}", e);
        }
        config = config ?? throw new ConfigException($"config {path} is empty");
        config.Validate();
        return config;
    }

    /// <summary>Throws a <see cref="ConfigException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (MaxRestarts < 0 || RestartWindowSeconds <= 0 || ShutdownGraceMs < 0 || ExecTimeoutMs <= 0 || ExecOutputLimitBytes < 0)
        {
            throw new ConfigException("maxRestarts, restartWindowSeconds, shutdownGraceMs, execTimeoutMs and execOutputLimitBytes must not be negative");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in Services)
        {
            if (service.Name.Length == 0 || !names.Add(service.Name))
            {
                throw new ConfigException($"service name '{service.Name}' is empty or used twice");
            }
            if (service.Argv.Length == 0)
            {
                throw new ConfigException($"service {service.Name} has an empty argv");
            }
            if (service.InContainer && Container is null)
            {
                throw new ConfigException($"service {service.Name} runs in the container, but no container is configured");
            }
        }
        Container?.Validate();
    }
}
