using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KeyVaulting.Rotation.Targets.DotEnv;

internal sealed partial class DotEnvFileRotationTarget
{
    /// <summary>The file's key and the state file, read together; the version is the counter and the key's check value.</summary>
    private sealed class Snapshot
    {
        public required byte[]? Content { get; init; }

        public required DotEnvRotationRecord Record { get; init; }

        public required OpenAIKeyRotationState State { get; init; }

        public required DotEnvRotationRecord.Entry? CurrentEntry { get; init; }

        public static Snapshot Read(DotEnvFileRotationTarget target)
        {
            var (readPath, _, statePath) = target.Locate();
            byte[]? content = null;
            DateTimeOffset? modified = null;
            try
            {
                if (File.Exists(readPath))
                {
                    content = File.ReadAllBytes(readPath);
                    modified = File.GetLastWriteTimeUtc(readPath);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new OpenAIKeySourceException(target.Name, $"{readPath} cannot be read: {ex.GetType().Name}.", isTransient: ex is IOException);
            }

            var record = ReadRecord(target, statePath);
            string? value = null;
            if (content is not null)
            {
                try
                {
                    value = DotEnvAssignment.FindLast(content, target._variable) is { } a
                        ? Encoding.UTF8.GetString(content.AsSpan(a.ValueStart, a.ValueEnd - a.ValueStart)).Trim('"', '\'', '`')
                        : null;
                }
                catch (FormatException ex)
                {
                    throw new OpenAIKeySourceException(target.Name, $"{readPath} is not a valid .env file: {ex.Message}. Fix that line; it is not shown because it may hold a secret.", isTransient: false);
                }
            }

            var check = string.IsNullOrEmpty(value) ? null : DotEnvRotationRecord.Check(value);
            DotEnvRotationRecord.Entry? current;
            var pending = record.Pending;
            var previous = record.Previous;
            var supersededAt = record.PreviousSupersededAt;
            if (check is null)
            {
                current = null;
            }
            else if (record.Current?.ValueCheck == check)
            {
                current = record.Current;
            }
            else if (pending?.ValueCheck == check)
            {
                // A promotion that wrote the key's line and stopped before the state file: finish it.
                current = new DotEnvRotationRecord.Entry { Record = pending.Record, ValueCheck = check };
                previous = record.Current;
                supersededAt = modified;
                pending = null;
            }
            else
            {
                // A key put in the file by hand: its id is unknown, its age is the file's.
                current = new DotEnvRotationRecord.Entry { Record = new OpenAIKeyRecord { CreatedAt = modified }, ValueCheck = check };
            }

            var effective = new DotEnvRotationRecord { Counter = record.Counter, Current = current, Pending = pending, Previous = previous, PreviousSupersededAt = supersededAt };
            return new Snapshot
            {
                Content = content,
                Record = effective,
                CurrentEntry = current,
                State = new OpenAIKeyRotationState
                {
                    Version = string.Create(CultureInfo.InvariantCulture, $"{record.Counter}:{check ?? "none"}"),
                    Current = current?.Record,
                    Pending = pending is null ? null : new OpenAIKeyRotationPending
                    {
                        RotationId = pending.RotationId ?? string.Empty,
                        StartedAt = pending.StartedAt ?? DateTimeOffset.UnixEpoch,
                        ClaimedBy = pending.ClaimedBy,
                        Record = pending.HasKey ? pending.Record : null,
                    },
                    Previous = previous?.Record,
                    PreviousSupersededAt = previous is null ? null : supersededAt,
                },
            };
        }

        public DotEnvRotationRecord WithPending(DotEnvRotationRecord.Entry? pending) => new()
        {
            Counter = Record.Counter + 1,
            Current = CurrentEntry,
            Pending = pending,
            Previous = Record.Previous,
            PreviousSupersededAt = Record.PreviousSupersededAt,
        };

        private static DotEnvRotationRecord ReadRecord(DotEnvFileRotationTarget target, string statePath)
        {
            try
            {
                return File.Exists(statePath) ? DotEnvRotationRecord.Parse(File.ReadAllBytes(statePath)) : new DotEnvRotationRecord();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new OpenAIKeySourceException(target.Name, $"{statePath} cannot be read: {ex.GetType().Name}.", isTransient: ex is IOException);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                throw new OpenAIKeySourceException(target.Name, $"{statePath} is not a valid rotation state file. Delete it when no rotation is running; the rotator then treats the file's key as one put there by hand.", isTransient: false);
            }
        }
    }
}
