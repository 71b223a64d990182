using Concierge.Vmm.Images;

namespace Concierge.Service.Runtime;

/// <summary>
/// Where one image of a run comes from: an authorized path, opened afresh for each monitor
/// instance, or an fd the caller passed, of which each instance gets its own duplicate.
/// </summary>
/// <param name="Name">The path, or what the fd was passed as (for logs and messages).</param>
/// <param name="Passed">The passed fd's image, or null for a path.</param>
internal sealed record ImageSource(string Name, ImageFile? Passed)
{
    /// <summary>An image by path.</summary>
    public static ImageSource FromPath(string path) => new(path, null);

    /// <summary>An image the caller passed.</summary>
    public static ImageSource FromPassed(ImageFile image) => new(image.Name, image);

    /// <summary>A new image file for one instance, which owns it.</summary>
    /// <exception cref="Concierge.Vmm.VmConfigException">The path cannot be opened or is not an image.</exception>
    public ImageFile Open(bool writable) => Passed?.Duplicate() ?? ImageFile.Open(Name, writable);
}
