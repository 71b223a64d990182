using Concierge.Service.Naming;
using Concierge.Service.Registry;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Service.Api;

/// <summary>
/// Validates a StartVm request and turns it into a VM definition. Every field a caller controls
/// is bounded here, once; a refusal is an <see cref="InvalidRequestException"/> naming the field.
/// Whether the caller may open the paths is the D-Bus layer's check, not this one.
/// </summary>
public static class StartVmRequestMapper
{
    /// <summary>The key and definition <paramref name="request"/> asks for, on behalf of <paramref name="owner"/>.</summary>
    public static (VmKey Key, VmDefinition Definition) ToDefinition(Proto.StartVmRequest request, uint owner, StartVmLimits limits)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(limits);
        var key = VmKey.Create(owner, request.Name);
        var definition = new VmDefinition
        {
            KernelPath = Path(request.KernelPath, "kernel_path", limits, required: true)!,
            InitrdPath = Path(request.InitrdPath, "initrd_path", limits, required: false),
            RootfsPath = Path(request.RootfsPath, "rootfs_path", limits, required: false),
            KernelParams = KernelParams(request.KernelParams, limits),
            Vcpus = InRange<uint>(request.Cpus == 0 ? limits.DefaultVcpus : request.Cpus, 1, limits.MaxVcpus, "cpus"),
            MemoryMiB = InRange(request.MemoryMib == 0 ? limits.DefaultMemoryMiB : request.MemoryMib, limits.MinMemoryMiB, limits.MaxMemoryMiB, "memory_mib"),
            StartupTimeout = Duration(request.Timeout == 0 ? limits.DefaultStartupTimeout : TimeSpan.FromSeconds(request.Timeout),
                TimeSpan.FromSeconds(1), limits.MaxStartupTimeout, "timeout"),
            HeartbeatInterval = Duration(request.HeartbeatIntervalMs == 0 ? limits.DefaultHeartbeatInterval : TimeSpan.FromMilliseconds(request.HeartbeatIntervalMs),
                limits.MinHeartbeatInterval, limits.MaxHeartbeatInterval, "heartbeat_interval_ms"),
            MissedHeartbeats = InRange<uint>(request.MissedHeartbeats == 0 ? limits.DefaultMissedHeartbeats : request.MissedHeartbeats, 1, limits.MaxMissedHeartbeats, "missed_heartbeats"),
            RestartPolicy = Enum.IsDefined(request.RestartPolicy)
                ? ProtoEnums.FromProto(request.RestartPolicy)
                : throw new InvalidRequestException("restart_policy", $"unknown restart policy {(int)request.RestartPolicy}"),
        };
        return (key, definition);
    }

    private static string? Path(string value, string field, StartVmLimits limits, bool required)
    {
        if (value.Length == 0)
        {
            return required ? throw new InvalidRequestException(field, $"{field} is required") : null;
        }
        if (value.Length > limits.MaxStringLength || value.Contains('\0', StringComparison.Ordinal) || !System.IO.Path.IsPathFullyQualified(value))
        {
            throw new InvalidRequestException(field, $"{field} must be an absolute path of at most {limits.MaxStringLength} characters without NUL");
        }
        return value;
    }

    private static string[] KernelParams(Google.Protobuf.Collections.RepeatedField<string> parameters, StartVmLimits limits)
    {
        if (parameters.Count > limits.MaxKernelParams)
        {
            throw new InvalidRequestException("kernel_params", $"{parameters.Count} kernel parameters, at most {limits.MaxKernelParams} are allowed");
        }
        foreach (var parameter in parameters)
        {
            if (parameter.Length == 0 || parameter.Length > limits.MaxStringLength || parameter.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            {
                // One parameter is one word on the kernel command line: whitespace would smuggle in more.
                throw new InvalidRequestException("kernel_params", "a kernel parameter must be one non-empty word without control characters");
            }
        }
        return [.. parameters];
    }

    private static T InRange<T>(T value, T min, T max, string field) where T : System.Numerics.INumber<T> =>
        value >= min && value <= max ? value : throw new InvalidRequestException(field, $"{field} {value} is outside {min}..{max}");

    private static TimeSpan Duration(TimeSpan value, TimeSpan min, TimeSpan max, string field) =>
        value >= min && value <= max ? value : throw new InvalidRequestException(field, $"{field} {value} is outside {min}..{max}");
}
