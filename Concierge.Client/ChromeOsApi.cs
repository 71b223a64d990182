using Concierge.Contracts;
using Concierge.Service.Protocol;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// The Chrome OS-compatible face: each call sends one serialized request in an <c>ay</c> and
/// reads one serialized response. The service reports failures in-band (success/failure_reason);
/// these methods turn them into <see cref="ConciergeException"/>s, so a returned value is a success.
/// </summary>
public sealed class ChromeOsApi
{
    /// <summary>StartVm returns once the VM is built; the guest's hello comes later (see <see cref="WatchLifecycleAsync"/>).</summary>
    private static readonly TimeSpan StartCallTimeout = TimeSpan.FromSeconds(80);

    private readonly ConciergeClient _client;

    internal ChromeOsApi(ConciergeClient client) => _client = client;

    /// <summary>Starts (or, when it runs, describes) the VM <paramref name="name"/>.</summary>
    public async Task<VmDetails> StartVmAsync(string name, VmStartOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var response = await CallAsync("StartVm", ProtoMapping.StartRequest(name, _client.OwnerId, options), StartVmResponse.Parser,
            $"start VM '{name}'", cancellationToken, StartCallTimeout);
        RequireSuccess(response.Success, response.FailureReason, $"start VM '{name}'");
        return ProtoMapping.Details(name, _client.OwnerId, response.VmInfo, response.Status);
    }

    /// <summary>
    /// Starts the VM <paramref name="name"/> with the files <paramref name="options"/> names
    /// opened here, as this process's user, and passed as fds (StartVmWithFds). For a user's own
    /// files outside the service's image directory and the user's storage, which the service
    /// will not open by path for a non-root caller. Such a VM keeps no image paths: a later
    /// start after its run has ended names the files again.
    /// </summary>
    /// <exception cref="ConciergeAccessDeniedException">This user may not open one of the files as needed.</exception>
    public async Task<VmDetails> StartVmWithOwnFilesAsync(string name, VmStartOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var files = OwnFiles.Open(options);
        var request = ProtoMapping.StartRequest(name, _client.OwnerId, options with
        {
            KernelPath = null,
            InitrdPath = null,
            RootfsPath = null,
            // A disk without a path takes the next STORAGE fd, in order.
            Disks = [.. options.Disks.Select(disk => disk with { Path = string.Empty })],
        });
        request.Fds.AddRange(files.Files.Select(file => file.Type));
        var response = await CallAsync("StartVmWithFds", request, StartVmResponse.Parser, $"start VM '{name}'", cancellationToken,
            StartCallTimeout, files.Files.Select(file => file.Fd).ToList());
        RequireSuccess(response.Success, response.FailureReason, $"start VM '{name}'");
        return ProtoMapping.Details(name, _client.OwnerId, response.VmInfo, response.Status);
    }

    /// <summary>Asks the VM to stop (success also when there is no such VM, as in Chrome OS).</summary>
    public async Task StopVmAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("StopVm", new StopVmRequest { Name = name, OwnerId = _client.OwnerId },
            SuccessFailureResponse.Parser, $"stop VM '{name}'", cancellationToken, Timeout.InfiniteTimeSpan);
        RequireSuccess(response.Success, response.FailureReason, $"stop VM '{name}'");
    }

    /// <summary>Stops every VM of the caller.</summary>
    public Task StopAllVmsAsync(CancellationToken cancellationToken = default)
    {
        return _client.CallAsync(Message(), "stop all VMs", Timeout.InfiniteTimeSpan, cancellationToken);

        MessageBuffer Message()
        {
            using var writer = _client.MethodCall(ConciergeBus.RootPath, ConciergeBus.ChromeOsInterface, "StopAllVms");
            return writer.CreateMessage();
        }
    }

    /// <summary>Pauses the VM's vCPUs.</summary>
    public async Task SuspendVmAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("SuspendVm", new SuspendVmRequest { Name = name, OwnerId = _client.OwnerId },
            SuccessFailureResponse.Parser, $"suspend VM '{name}'", cancellationToken);
        RequireSuccess(response.Success, response.FailureReason, $"suspend VM '{name}'");
    }

    /// <summary>Resumes a suspended VM.</summary>
    public async Task ResumeVmAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("ResumeVm", new ResumeVmRequest { Name = name, OwnerId = _client.OwnerId },
            SuccessFailureResponse.Parser, $"resume VM '{name}'", cancellationToken);
        RequireSuccess(response.Success, response.FailureReason, $"resume VM '{name}'");
    }

    /// <summary>One VM's details; <see cref="VmNotFoundException"/> when the caller has none by that name.</summary>
    public async Task<VmDetails> GetVmInfoAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("GetVmInfo", new GetVmInfoRequest { Name = name, OwnerId = _client.OwnerId },
            GetVmInfoResponse.Parser, $"get VM '{name}'", cancellationToken);
        if (!response.Success)
        {
            // The Chrome OS face has no error codes: an unsuccessful GetVmInfo without a reason means "no such VM".
            throw Failure($"get VM '{name}'", response.FailureReason is { Length: > 0 } reason ? reason : "no such VM");
        }
        return ProtoMapping.Details(name, _client.OwnerId, response.VmInfo, response.VmInfo?.Status ?? VmStatus.Unknown);
    }

    /// <summary>Every VM the caller may see (root: all).</summary>
    public async Task<IReadOnlyList<VmDetails>> ListVmsAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("ListVms", new ListVmsRequest { OwnerId = _client.OwnerId },
            ListVmsResponse.Parser, "list VMs", cancellationToken);
        RequireSuccess(response.Success, response.FailureReason, "list VMs");
        return [.. response.Vms.Select(vm => ProtoMapping.Details(vm.Name, vm.OwnerId, vm.VmInfo, vm.Status))];
    }

    /// <summary>The VM's console log as the service kept it.</summary>
    public async Task<string> GetVmLogsAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("GetVmLogs", new GetVmLogsRequest { Name = name, OwnerId = _client.OwnerId },
            GetVmLogsResponse.Parser, $"get the logs of VM '{name}'", cancellationToken);
        RequireSuccess(response.Success, response.FailureReason, $"get the logs of VM '{name}'");
        return response.Log;
    }

    /// <summary>Creates the disk image of VM <paramref name="name"/> (0 bytes = the service's default size).</summary>
    public async Task<DiskImageDetails> CreateDiskImageAsync(string name, ulong sizeBytes, CancellationToken cancellationToken = default)
    {
        var operation = $"create the disk of '{name}'";
        var response = await CallAsync("CreateDiskImage",
            new CreateDiskImageRequest { CryptohomeId = _client.OwnerId, VmName = name, DiskSize = sizeBytes, ImageType = DiskImageType.DiskImageRaw },
            CreateDiskImageResponse.Parser, operation, cancellationToken, Timeout.InfiniteTimeSpan);
        return response.Status switch
        {
            DiskImageStatus.DiskStatusCreated => new DiskImageDetails(name, response.DiskPath, response.DiskSize),
            DiskImageStatus.DiskStatusExists => throw new ConciergeException(
                $"{operation}: it already exists at {response.DiskPath}; 'vmc destroy {name}' removes it"),
            DiskImageStatus.DiskStatusNotEnoughSpace => throw new ConciergeException(
                $"{operation}: not enough space ({response.FailureReason}); free some space or ask for a smaller size"),
            _ => throw Failure(operation, response.FailureReason),
        };
    }

    /// <summary>Deletes the disk image of VM <paramref name="name"/> (stopping the VM first, as Chrome OS does).</summary>
    public async Task DestroyDiskImageAsync(string name, CancellationToken cancellationToken = default)
    {
        var operation = $"destroy the disk of '{name}'";
        var response = await CallAsync("DestroyDiskImage", new DestroyDiskImageRequest { CryptohomeId = _client.OwnerId, VmName = name },
            DestroyDiskImageResponse.Parser, operation, cancellationToken, Timeout.InfiniteTimeSpan);
        switch (response.Status)
        {
            case DiskImageStatus.DiskStatusDestroyed:
                return;
            case DiskImageStatus.DiskStatusDoesNotExist:
                throw new VmNotFoundException($"{operation}: there is no such disk; 'vmc disks' lists yours");
            default:
                throw Failure(operation, response.FailureReason);
        }
    }

    /// <summary>The caller's disk images.</summary>
    public async Task<IReadOnlyList<DiskImageDetails>> ListVmDisksAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync("ListVmDisks", new ListVmDisksRequest { CryptohomeId = _client.OwnerId, AllLocations = true },
            ListVmDisksResponse.Parser, "list disks", cancellationToken);
        RequireSuccess(response.Success, response.FailureReason, "list disks");
        return [.. response.Images.Select(image => new DiskImageDetails(image.Name, image.Path, image.Size))];
    }

    /// <summary>
    /// Subscribes to the four lifecycle signals; <paramref name="handler"/> runs on the connection's
    /// receive loop, one signal at a time, so it must not block (an exception it throws is dropped).
    /// Dispose the subscription to stop.
    /// </summary>
    public Task<IDisposable> WatchLifecycleAsync(Action<VmLifecycleEvent> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _client.WatchAsync(
            new MatchRule { Type = MessageType.Signal, Sender = ConciergeBus.ServiceName, Path = ConciergeBus.RootPath, Interface = ConciergeBus.ChromeOsInterface },
            LifecycleSignals.TryParse, handler, "watch VM lifecycle signals", cancellationToken);
    }

    private async Task<TResponse> CallAsync<TResponse>(string member, IMessage request, MessageParser<TResponse> parser,
        string operation, CancellationToken cancellationToken, TimeSpan? timeout = null, IReadOnlyList<SafeFileHandle>? fds = null)
        where TResponse : IMessage<TResponse>
    {
        // Only the bytes are taken on the receive loop; protobuf parses them here.
        var payload = await _client.CallAsync(Message(), (reply, _) => Payload(reply, operation), operation,
            timeout ?? ConciergeClient.DefaultCallTimeout, cancellationToken);
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ConciergeException($"{operation}: the service's answer is not a valid {typeof(TResponse).Name}: {e.Message}", e);
        }

        MessageBuffer Message()
        {
            using var writer = _client.MethodCall(ConciergeBus.RootPath, ConciergeBus.ChromeOsInterface, member, fds is null ? "ay" : "ayah");
            writer.WriteArray(request.ToByteArray());
            if (fds is not null)
            {
                // The message holds its own reference on each fd until it is sent: the caller may close them when the call returns.
                writer.WriteArray(fds);
            }
            return writer.CreateMessage();
        }
    }

    private static byte[] Payload(Message reply, string operation) => reply.SignatureAsString == "ay"
        ? reply.GetBodyReader().ReadArrayOfByte()
        : throw new ConciergeException($"{operation}: the service answered with '{reply.SignatureAsString}' instead of a protobuf 'ay'");

    private static void RequireSuccess(bool success, string failureReason, string operation)
    {
        if (!success)
        {
            throw Failure(operation, failureReason);
        }
    }

    /// <summary>
    /// In-band failures carry only text; the words the service uses tell the kinds apart (it starts
    /// refusals with "access denied:", "invalid argument:" and "invalid state:").
    /// </summary>
    private static ConciergeException Failure(string operation, string failureReason)
    {
        var reason = failureReason is { Length: > 0 } text ? text : "the service gave no reason";
        if (reason.Contains("no VM named", StringComparison.OrdinalIgnoreCase) || reason.Contains("no such VM", StringComparison.OrdinalIgnoreCase))
        {
            return new VmNotFoundException($"{operation}: {reason}; 'vmc list' shows your VMs");
        }
        if (reason.StartsWith("access denied", StringComparison.Ordinal))
        {
            // The service itself refused (another user's VM, a path outside the caller's reach): its
            // reason says why and what to do; joining group concierge would not help.
            return new ConciergeAccessDeniedException($"{operation}: {reason}");
        }
        if (reason.StartsWith("invalid argument", StringComparison.Ordinal))
        {
            return new InvalidRequestException($"{operation}: {reason}");
        }
        if (reason.StartsWith("invalid state", StringComparison.Ordinal))
        {
            return new InvalidVmStateException($"{operation}: {reason}; {ErrorTranslator.StateAdvice}");
        }
        return new ConciergeException($"{operation}: {reason}; 'journalctl -u concierge' has the service's side");
    }
}
