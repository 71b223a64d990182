namespace Concierge.Service.Runtime;

/// <summary>An extra disk of a <see cref="VmPlan"/>.</summary>
/// <param name="Source">Where its image comes from.</param>
/// <param name="Writable">False when the guest may only read it.</param>
internal sealed record PlannedDisk(ImageSource Source, bool Writable);
