using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Protocol;
using Concierge.Service.Registry;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.DBus;

/// <summary>The Chrome OS methods: parse, call <see cref="ConciergeApi"/>, answer with a protobuf.</summary>
public sealed partial class ChromeOsInterface
{
    /// <summary>Most console bytes GetVmLogs returns.</summary>
    public const int LogTailBytes = 256 << 10;

    private async Task<IMessage> RunAsync(Caller caller, string member, byte[] request, List<SafeFileHandle> fds)
    {
        switch (member)
        {
            case "StartVm":
            case "StartVmWithFds":
                return StartVm(caller, StartVmRequest.Parser.ParseFrom(request), fds);
            case "StopVm":
            {
                var stop = StopVmRequest.Parser.ParseFrom(request);
                await IgnoreUnknownVm(() => Api.StopAsync(caller, Key(caller, stop.OwnerId, stop.Name))).ConfigureAwait(false);
                return new SuccessFailureResponse { Success = true };
            }
            case "SuspendVm":
            {
                var suspend = SuspendVmRequest.Parser.ParseFrom(request);
                await IgnoreUnknownVm(() => Api.SuspendAsync(caller, Key(caller, suspend.OwnerId, suspend.Name))).ConfigureAwait(false);
                return new SuccessFailureResponse { Success = true };
            }
            case "ResumeVm":
            {
                var resume = ResumeVmRequest.Parser.ParseFrom(request);
                await IgnoreUnknownVm(() => Api.ResumeAsync(caller, Key(caller, resume.OwnerId, resume.Name))).ConfigureAwait(false);
                return new SuccessFailureResponse { Success = true };
            }
            case "GetVmInfo":
            {
                var get = GetVmInfoRequest.Parser.ParseFrom(request);
                return new GetVmInfoResponse { Success = true, VmInfo = ChromeOsMessages.Info(Api.Get(caller, Key(caller, get.OwnerId, get.Name))) };
            }
            case "ListVms":
                return ListVms(caller, ListVmsRequest.Parser.ParseFrom(request));
            case "CreateDiskImage":
                return CreateDiskImage(caller, CreateDiskImageRequest.Parser.ParseFrom(request));
            case "DestroyDiskImage":
            {
                var destroy = DestroyDiskImageRequest.Parser.ParseFrom(request);
                var owner = ConciergeApi.Owner(caller, destroy.CryptohomeId, "cryptohome_id");
                var destroyed = await Api.DestroyDiskAsync(caller, owner, destroy.VmName).ConfigureAwait(false);
                return new DestroyDiskImageResponse { Status = destroyed ? DiskImageStatus.DiskStatusDestroyed : DiskImageStatus.DiskStatusDoesNotExist };
            }
            case "ListVmDisks":
                return ListVmDisks(caller, ListVmDisksRequest.Parser.ParseFrom(request));
            case "GetVmLogs":
            {
                var logs = GetVmLogsRequest.Parser.ParseFrom(request);
                return new GetVmLogsResponse { Success = true, Log = Api.ReadConsole(caller, Key(caller, logs.OwnerId, logs.Name), LogTailBytes) };
            }
            default:
                throw CallRefusedException.NotImplemented(InterfaceName, member);
        }
    }

    private StartVmResponse StartVm(Caller caller, StartVmRequest request, List<SafeFileHandle> fds)
    {
        var owner = ConciergeApi.Owner(caller, request.OwnerId, "owner_id");
        var startRequest = ChromeOsRequests.Start(request, fds);
        // From here the API owns the fds (it keeps them for the run or closes them).
        fds.Clear();
        var view = Api.Start(caller, owner, request.Name, startRequest, out _);
        return new StartVmResponse { Success = true, VmInfo = ChromeOsMessages.Info(view), Status = ChromeOsMessages.Status(view.Status.State) };
    }

    private ListVmsResponse ListVms(Caller caller, ListVmsRequest request)
    {
        uint? owner = string.IsNullOrEmpty(request.OwnerId) && caller.IsRoot ? null : ConciergeApi.Owner(caller, request.OwnerId, "owner_id");
        var response = new ListVmsResponse { Success = true };
        response.Vms.AddRange(Api.List(caller, owner).Select(ChromeOsMessages.Extended));
        return response;
    }

    private CreateDiskImageResponse CreateDiskImage(Caller caller, CreateDiskImageRequest request)
    {
        var owner = ConciergeApi.Owner(caller, request.CryptohomeId, "cryptohome_id");
        if (request.ImageType is not (DiskImageType.DiskImageRaw or DiskImageType.DiskImageAuto))
        {
            throw new InvalidRequestException("image_type", $"image_type {request.ImageType} is not supported; only raw images are made");
        }
        if (request.StorageLocation != StorageLocation.StorageCryptohomeRoot)
        {
            throw new InvalidRequestException("storage_location", $"storage_location {request.StorageLocation} is not supported");
        }
        var result = Api.CreateDisk(caller, owner, request.VmName, request.DiskSize);
        return new CreateDiskImageResponse
        {
            Status = ChromeOsMessages.DiskStatus(result.Outcome),
            DiskPath = result.Image.Path,
            DiskSize = result.Image.SizeBytes,
        };
    }

    private ListVmDisksResponse ListVmDisks(Caller caller, ListVmDisksRequest request)
    {
        var owner = ConciergeApi.Owner(caller, request.CryptohomeId, "cryptohome_id");
        var images = Api.ListDisks(caller, owner)
            .Where(i => string.IsNullOrEmpty(request.VmName) || i.VmName == request.VmName).ToList();
        var response = new ListVmDisksResponse { Success = true, TotalSize = images.Aggregate(0UL, (sum, i) => sum + i.SizeBytes) };
        response.Images.AddRange(images.Select(i => new VmDiskInfo
        {
            Name = i.VmName,
            StorageLocation = StorageLocation.StorageCryptohomeRoot,
            Size = i.SizeBytes,
            ImageType = DiskImageType.DiskImageRaw,
            Path = i.Path,
        }));
        return response;
    }

    private static IMessage Failure(string member, Exception error)
    {
        var reason = ApiErrors.InBandReason(error);
        return member switch
        {
            "StartVm" or "StartVmWithFds" => new StartVmResponse { Success = false, FailureReason = reason, Status = VmStatus.Failure },
            "GetVmInfo" => new GetVmInfoResponse { Success = false, FailureReason = reason },
            "ListVms" => new ListVmsResponse { Success = false, FailureReason = reason },
            "CreateDiskImage" => new CreateDiskImageResponse
            {
                Status = error is DiskSpaceException ? DiskImageStatus.DiskStatusNotEnoughSpace : DiskImageStatus.DiskStatusFailed,
                FailureReason = reason,
            },
            "DestroyDiskImage" => new DestroyDiskImageResponse { Status = DiskImageStatus.DiskStatusFailed, FailureReason = reason },
            "ListVmDisks" => new ListVmDisksResponse { Success = false, FailureReason = reason },
            "GetVmLogs" => new GetVmLogsResponse { Success = false, FailureReason = reason },
            _ => new SuccessFailureResponse { Success = false, FailureReason = reason },
        };
    }

    /// <summary>Chrome OS treats stop/suspend/resume of an unknown VM as success ("not an error to Chrome").</summary>
    private static async Task IgnoreUnknownVm(Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (VmNotFoundException)
        {
        }
    }

    private static VmKey Key(Caller caller, string ownerId, string name) =>
        VmKey.Create(ConciergeApi.Owner(caller, ownerId, "owner_id"), name);
}
