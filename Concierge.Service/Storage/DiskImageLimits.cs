namespace Concierge.Service.Storage;

/// <summary>Bounds on disk image sizes (bytes).</summary>
/// <param name="MinBytes">Smallest image accepted.</param>
/// <param name="MaxBytes">Largest image accepted (images are sparse, so this guards typos, not space).</param>
/// <param name="DefaultBytes">Size used when the caller asks for 0 ("pick one").</param>
public sealed record DiskImageLimits(ulong MinBytes, ulong MaxBytes, ulong DefaultBytes)
{
    /// <summary>Images are whole 512-byte sectors: the unit virtio-blk addresses.</summary>
    public const ulong SectorBytes = 512;

    /// <summary>1 MiB to 2 TiB, 16 GiB by default.</summary>
    public static DiskImageLimits Default { get; } = new(1UL << 20, 2UL << 40, 16UL << 30);
}
