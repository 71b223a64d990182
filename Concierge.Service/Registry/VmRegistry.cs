using System.Text.Json;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Serilog;

namespace Concierge.Service.Registry;

/// <summary>
/// Every VM the service knows, keyed by (owner, name), persisted on each change so a crash of
/// the service loses nothing. <see cref="Open"/> loads the file and repairs what a crash left
/// behind. Thread-safe: D-Bus handlers and supervisors call in concurrently.
/// </summary>
public sealed class VmRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<VmKey, VmRecord> _records;
    private readonly StorageLayout _layout;
    private readonly TimeProvider _time;

    private VmRegistry(StorageLayout layout, TimeProvider time, Dictionary<VmKey, VmRecord> records)
    {
        _layout = layout;
        _time = time;
        _records = records;
    }

    /// <summary>
    /// Loads the registry under <paramref name="layout"/> and reconciles crash leftovers: temp
    /// files and half-created disk images are deleted, VMs marked active become stopped with
    /// reason <see cref="VmStopReason.ServiceCrashed"/>, an unreadable state file is moved aside,
    /// unusable records are left out (a copy of the file keeps them).
    /// </summary>
    public static VmRegistry Open(StorageLayout layout, DiskImageStore disks, TimeProvider time, ILogger log, out ReconcileReport report)
    {
        var removedTemp = RemoveTempFiles(layout);
        var removedPartial = disks.RemovePartialImages();
        string? quarantined = null;
        IReadOnlyList<JsonElement> stored;
        try
        {
            stored = RegistryFile.LoadRecords(layout.StateFile);
        }
        catch (InvalidDataException e)
        {
            quarantined = $"{layout.StateFile}.corrupt-{time.GetUtcNow().ToUnixTimeMilliseconds()}";
            File.Move(layout.StateFile, quarantined);
            log.Error(e, "Registry state unreadable, moved to {Quarantine}; starting empty", quarantined);
            stored = [];
        }

        var records = RegistryRecords.Select(stored, out var setAside);
        if (setAside.Count > 0)
        {
            // The next Persist drops them from state.json; the copy keeps what they held.
            quarantined = $"{layout.StateFile}.set-aside-{time.GetUtcNow().ToUnixTimeMilliseconds()}";
            File.Copy(layout.StateFile, quarantined);
            log.Error("Registry state has {Count} unusable records, left out ({Records}); the file as it was is kept at {Quarantine}",
                setAside.Count, string.Join("; ", setAside), quarantined);
        }

        var registry = new VmRegistry(layout, time, records);
        var stopped = registry.StopActiveRecords();
        report = new ReconcileReport
        {
            RemovedTempFiles = removedTemp,
            RemovedPartialImages = removedPartial,
            StoppedVms = stopped,
            QuarantinedStateFile = quarantined,
            SetAsideRecords = setAside,
        };
        if (!report.IsClean)
        {
            registry.Persist();
        }
        foreach (var key in stopped)
        {
            log.Warning("VM {VmName} of {Owner} was active when the service died; marked stopped", key.Name, key.Owner);
        }
        return registry;
    }

    /// <summary>The record of <paramref name="key"/>, or null.</summary>
    public VmRecord? Find(VmKey key)
    {
        lock (_lock)
        {
            return _records.GetValueOrDefault(key);
        }
    }

    /// <summary>Every record, or those of <paramref name="owner"/>, ordered by owner then name.</summary>
    public IReadOnlyList<VmRecord> List(uint? owner = null)
    {
        lock (_lock)
        {
            return _records.Values
                .Where(r => owner is null || r.Owner == owner)
                .OrderBy(r => r.Owner).ThenBy(r => r.Name, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>Adds or replaces <paramref name="record"/> and persists.</summary>
    public void Put(VmRecord record)
    {
        lock (_lock)
        {
            _records[record.Key] = record with { UpdatedAt = _time.GetUtcNow() };
            Persist();
        }
    }

    /// <summary>Applies <paramref name="change"/> to the record of <paramref name="key"/> and persists; null when unknown.</summary>
    public VmRecord? Update(VmKey key, Func<VmRecord, VmRecord> change)
    {
        lock (_lock)
        {
            if (!_records.TryGetValue(key, out var current))
            {
                return null;
            }
            var updated = change(current) with { Owner = current.Owner, Name = current.Name, UpdatedAt = _time.GetUtcNow() };
            _records[key] = updated;
            Persist();
            return updated;
        }
    }

    /// <summary>Forgets <paramref name="key"/> and persists; false when unknown.</summary>
    public bool Remove(VmKey key)
    {
        lock (_lock)
        {
            if (!_records.Remove(key))
            {
                return false;
            }
            Persist();
            return true;
        }
    }

    private List<VmKey> StopActiveRecords()
    {
        var stopped = new List<VmKey>();
        foreach (var record in _records.Values.Where(r => r.IsActive).ToList())
        {
            _records[record.Key] = record with
            {
                State = VmState.Stopped,
                StopReason = VmStopReason.ServiceCrashed,
                FailureReason = $"the service stopped while the VM was {record.State.ToString().ToLowerInvariant()}",
                Cid = null,
                UpdatedAt = _time.GetUtcNow(),
            };
            stopped.Add(record.Key);
        }
        return stopped;
    }

    private void Persist() =>
        RegistryFile.Save(_layout.StateFile, new RegistryDocument { Vms = [.. _records.Values.OrderBy(r => r.Owner).ThenBy(r => r.Name, StringComparer.Ordinal)] });

    private static List<string> RemoveTempFiles(StorageLayout layout)
    {
        var removed = new List<string>();
        foreach (var temp in Directory.EnumerateFiles(layout.Root, "*" + AtomicFile.TempSuffix))
        {
            File.Delete(temp);
            removed.Add(temp);
        }
        return removed;
    }
}
