using System.Buffers.Binary;
using System.Globalization;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Simulation;

/// <summary>The DFU class requests (DFU 1.1 §6 and Appendix A) and the DfuSe commands (ST AN3156).</summary>
public sealed partial class SimulatedDfuDevice
{
    /// <summary>DfuSe command: Set Address Pointer (ST AN3156).</summary>
    internal const byte SetAddressCommand = 0x21;

    /// <summary>DfuSe command: Erase (page address) or mass erase (no address).</summary>
    internal const byte EraseCommand = 0x41;

    /// <summary>DfuSe command: Read Unprotect.</summary>
    internal const byte ReadUnprotectCommand = 0x92;

    // AN3156 does not name the status a read-protected device reports; this model reports errVENDOR with this text.
    private const string ReadProtectedText = "Read protection active";
    private const byte ReadProtectionLevel0 = 0xAA;
    private const byte ReadProtectionLevel2Byte = 0xCC;
    private const string Level2Text = "Read protection level 2 is permanent";

    private SimulatedControlResult HandleClass(UsbSetupPacket setup, ReadOnlySpan<byte> data, ref string detail)
    {
        // Class requests go to the DFU interface; anything else is not ours to answer.
        if (setup.Recipient != UsbRecipient.Interface || setup.Index != SimulatedDescriptors.DfuInterfaceNumber)
        {
            return SimulatedControlResult.Stall;
        }

        if (setup.Request > (byte)DfuRequest.Abort)
        {
            return StallError(ref detail, "unknown request");
        }

        var request = (DfuRequest)setup.Request;
        if (_state == DfuState.DfuManifestWaitReset && request is not (DfuRequest.GetStatus or DfuRequest.GetState))
        {
            // State 8: the device only waits for a USB reset; it does not act on requests.
            detail = "waiting for a USB reset";
            return SimulatedControlResult.Stall;
        }

        int occurrence = ++_requestCounts[setup.Request];
        foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.StallRequest))
        {
            if (fault.Request == request && (fault.Occurrence == 0 || fault.Occurrence == occurrence))
            {
                return StallError(ref detail, "injected stall");
            }
        }

        bool expectIn = request is DfuRequest.Upload or DfuRequest.GetStatus or DfuRequest.GetState;
        if (setup.IsDeviceToHost != expectIn)
        {
            return StallError(ref detail, "wrong direction");
        }

        if (_profile.IsRuntime)
        {
            return HandleRuntime(request, setup, ref detail);
        }

        return request switch
        {
            DfuRequest.Dnload => Dnload(setup, data, ref detail),
            DfuRequest.Upload => Upload(setup, ref detail),
            DfuRequest.GetStatus => GetStatus(ref detail),
            DfuRequest.ClrStatus => ClrStatus(ref detail),
            DfuRequest.GetState => SimulatedControlResult.AckWith(new[] { (byte)_state }),
            DfuRequest.Abort => Abort(ref detail),
            _ => StallError(ref detail, "DFU_DETACH in DFU mode"),
        };
    }

    /// <summary>Run-time mode (DFU 1.1 Appendix A, states 0 and 1): errors stall and return to appIDLE, never dfuERROR.</summary>
    private SimulatedControlResult HandleRuntime(DfuRequest request, UsbSetupPacket setup, ref string detail)
    {
        if (_state == DfuState.AppDetach && _time.GetUtcNow() > _detachDeadline)
        {
            // wDetachTimeOut elapsed without a reset: back to normal operation.
            _state = DfuState.AppIdle;
        }

        switch (request)
        {
            case DfuRequest.Detach when _state == DfuState.AppIdle:
                if ((_profile.Attributes & DfuAttributes.WillDetach) != 0)
                {
                    detail = "detach and re-enumerate";
                    Reenumerate(_profile.DfuModeProfile ?? _profile);
                    return new SimulatedControlResult(SimulatedControlStatus.Ack, ReadOnlyMemory<byte>.Empty, true);
                }

                _state = DfuState.AppDetach;
                int timeout = Math.Min(setup.Value, _profile.DetachTimeout);
                _detachDeadline = _time.GetUtcNow() + TimeSpan.FromMilliseconds(timeout);
                detail = string.Create(CultureInfo.InvariantCulture, $"waiting {timeout} ms for a reset");
                return SimulatedControlResult.Ack;
            case DfuRequest.GetStatus:
                return SimulatedControlResult.AckWith(StatusReply(DfuStatus.Ok, 0, _state, 0));
            case DfuRequest.GetState:
                return SimulatedControlResult.AckWith(new[] { (byte)_state });
            default:
                _state = DfuState.AppIdle;
                detail = "not allowed in run-time mode";
                return SimulatedControlResult.Stall;
        }
    }

    private SimulatedControlResult Dnload(UsbSetupPacket setup, ReadOnlySpan<byte> data, ref string detail)
    {
        if (_state is not (DfuState.DfuIdle or DfuState.DfuDnloadIdle))
        {
            return StallError(ref detail, $"DFU_DNLOAD not allowed in {_state.ToSpecName()}");
        }

        if ((_profile.Attributes & DfuAttributes.CanDownload) == 0)
        {
            return StallError(ref detail, "bitCanDnload is clear");
        }

        if (setup.Length == 0)
        {
            if (_state == DfuState.DfuIdle && !_profile.ZeroLengthDownloadInIdle)
            {
                // State 2: a zero-length DNLOAD in dfuIDLE is an error; there is nothing to manifest.
                return StallError(ref detail, "zero-length DFU_DNLOAD in dfuIDLE");
            }

            if (_profile.IsDfuSe && _profile.LeavesWithoutFinalStatus)
            {
                // GD32 ROMs jump to the application on the zero-length DNLOAD itself: the GETSTATUS that ST AN3156
                // §6.3.5 expects is never answered (dfu-util reports "Error during download get_status" on them).
                detail = "leave: jump to application at once, no final status";
                Reenumerate(_home);
                return SimulatedControlResult.Ack with { Reenumerate = true };
            }

            _state = DfuState.DfuManifestSync;
            detail = _profile.IsDfuSe ? "leave" : "end of download";
            return SimulatedControlResult.Ack;
        }

        if (setup.Length > RealTransferSize)
        {
            return StallError(ref detail, string.Create(CultureInfo.InvariantCulture, $"wLength {setup.Length} exceeds transfer size {RealTransferSize}"));
        }

        int dataBlock = -1;
        if (_profile.IsDfuSe && setup.Value == 0)
        {
            if (!IsValidCommand(data))
            {
                return StallError(ref detail, $"bad DfuSe command {Convert.ToHexString(data)}");
            }

            detail = DescribeCommand(data);
        }
        else if (_profile.IsDfuSe && setup.Value == 1)
        {
            return StallError(ref detail, "DfuSe block 1 is reserved");
        }
        else
        {
            dataBlock = _dataBlocks++;
            foreach (SimulatedFault fault in Faults.Items)
            {
                if (fault.DataBlock == dataBlock && fault.Kind == SimulatedFaultKind.StallAtBlock)
                {
                    return StallError(ref detail, "injected stall");
                }

                if (fault.DataBlock == dataBlock && fault.Kind == SimulatedFaultKind.DisconnectAtBlock)
                {
                    detail = "injected disconnect";
                    Reenumerate(_profile);
                    return SimulatedControlResult.NoDevice with { Reenumerate = true };
                }
            }

            if (_profile.IsDfuSe)
            {
                detail = string.Create(CultureInfo.InvariantCulture, $"data block {dataBlock} at 0x{DataAddress(setup.Value):X8}");
            }
            else
            {
                if (_state == DfuState.DfuIdle)
                {
                    // A new download replaces the stored image: the device erases its firmware store first.
                    _downloadOffset = 0;
                    _firmwareLength = 0;
                    _firmware.AsSpan().Fill(0xFF);
                }

                detail = string.Create(CultureInfo.InvariantCulture, $"data block {dataBlock} at offset {_downloadOffset}");
            }
        }

        _pending = data.ToArray();
        _pendingBlock = setup.Value;
        _pendingDataBlock = dataBlock;
        _hasPending = true;
        _state = DfuState.DfuDnloadSync;
        return SimulatedControlResult.Ack;
    }

    private SimulatedControlResult Upload(UsbSetupPacket setup, ref string detail)
    {
        if (_state is not (DfuState.DfuIdle or DfuState.DfuUploadIdle))
        {
            return StallError(ref detail, $"DFU_UPLOAD not allowed in {_state.ToSpecName()}");
        }

        if ((_profile.Attributes & DfuAttributes.CanUpload) == 0)
        {
            return StallError(ref detail, "bitCanUpload is clear");
        }

        if (setup.Length == 0 || setup.Length > RealTransferSize)
        {
            return StallError(ref detail, string.Create(CultureInfo.InvariantCulture, $"bad wLength {setup.Length}"));
        }

        byte[] reply;
        if (_profile.IsDfuSe)
        {
            if (setup.Value == 0)
            {
                // ST AN3156 "Get Command": the supported commands, the first being Get Command itself.
                reply = [.. _profile.DfuSeCommands];
                detail = "get commands";
            }
            else if (setup.Value == 1)
            {
                return StallError(ref detail, "DfuSe block 1 is reserved");
            }
            else
            {
                uint address = DataAddress(setup.Value);
                MemoryBank? bank = _flash.Find(_alternateSetting, address);
                if (_readProtected && bank?.Kind != SimulatedMemoryKind.Register)
                {
                    return StallError(ref detail, ReadProtectedText, DfuStatus.ErrVendor, ReadProtectedText);
                }

                if (bank is null || (bank.SectorAt(address)!.Value.Access & SimulatedSectorAccess.Readable) == 0)
                {
                    return StallError(ref detail, $"0x{address:X8} is not readable", DfuStatus.ErrAddress);
                }

                int length = (int)Math.Min(setup.Length, SimulatedFlash.ReadableRun(bank, address));
                reply = bank.Slice(address, length).ToArray();
                detail = string.Create(CultureInfo.InvariantCulture, $"read 0x{address:X8}");
            }
        }
        else
        {
            if (_state == DfuState.DfuIdle)
            {
                _uploadOffset = 0;
            }

            int length = Math.Min(setup.Length, _firmwareLength - _uploadOffset);
            reply = _firmware.AsSpan(_uploadOffset, length).ToArray();
            detail = string.Create(CultureInfo.InvariantCulture, $"read offset {_uploadOffset}");
            _uploadOffset += length;
        }

        // DFU 1.1 §6.2: a short frame ends the upload.
        _state = reply.Length < setup.Length ? DfuState.DfuIdle : DfuState.DfuUploadIdle;
        return SimulatedControlResult.AckWith(reply);
    }

    private SimulatedControlResult GetStatus(ref string detail)
    {
        foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.GetStatusNeverAnswers))
        {
            if (fault.DataBlock is not { } after || _dataBlocks > after)
            {
                detail = "injected: no answer";
                return SimulatedControlResult.Timeout;
            }
        }

        uint poll = 0;
        bool reenumerate = false;
        if (_state == DfuState.DfuDnloadSync)
        {
            if (_hasPending)
            {
                // DFU 1.1 Appendix A, state 3: the block is being processed; the device is busy for a while.
                _hasPending = false;
                (poll, reenumerate) = Execute(ref detail);
                _busyPoll = poll;
                _state = DfuState.DfuDnbusy;
            }
            else
            {
                _state = DfuState.DfuDnloadIdle;
            }
        }
        else if (_state == DfuState.DfuManifestSync)
        {
            if (_manifestDone)
            {
                _manifestDone = false;
                _state = DfuState.DfuIdle;
            }
            else
            {
                if (Faults.OfKind(SimulatedFaultKind.DisconnectAtLeave).Any())
                {
                    detail = "injected disconnect";
                    Reenumerate(_home);
                    return SimulatedControlResult.NoDevice with { Reenumerate = true };
                }

                _state = DfuState.DfuManifest;
                poll = _profile.Timing.ManifestPollTimeout;
                if (_profile.IsDfuSe)
                {
                    // ST AN3156 "Leave DFU mode": the device answers, then jumps to the application and leaves the bus.
                    detail = "leave: jump to application";
                    reenumerate = true;
                }
                else
                {
                    _busyUntil = _time.GetUtcNow() + _profile.Timing.ManifestTime;
                    _busyPoll = poll;
                    detail = "manifest";
                }
            }
        }

        else if (_state == DfuState.DfuDnbusy && _stuck)
        {
            poll = _busyPoll;
            detail = "stuck in dfuDNBUSY until cleared";
        }

        foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.PollTimeout))
        {
            poll = fault.PollTimeout;
        }

        DfuState reported = _state;
        foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.WrongState))
        {
            if (fault.DataBlock is null || (_dataBlocks > fault.DataBlock && _wrongStateServed <= fault.DataBlock))
            {
                reported = fault.State;
                _wrongStateServed = _dataBlocks;
                detail = AppendDetail(detail, $"injected: reports {fault.State.ToSpecName()}");
            }
        }

        byte stringIndex = _statusText is null ? (byte)0 : SimulatedDescriptors.StatusStringIndex(_profile);
        byte[] reply = StatusReply(_status, poll, reported, stringIndex);
        if (poll > 0)
        {
            detail = AppendDetail(detail, string.Create(CultureInfo.InvariantCulture, $"poll {poll} ms"));
        }

        if (reenumerate && _connected)
        {
            Reenumerate(_home);
        }
        else if (_connected)
        {
            TimeSpan busy = _busyUntil - _time.GetUtcNow();
            TimeSpan asked = TimeSpan.FromMilliseconds(poll);
            _requiredWait += busy > asked ? busy : asked;
            AddToMinimum(OperationMinimum(busy, asked));
        }

        return new SimulatedControlResult(SimulatedControlStatus.Ack, reply, reenumerate);
    }

    private SimulatedControlResult ClrStatus(ref string detail)
    {
        if (_state == DfuState.DfuDnbusy && _stuck && _time.GetUtcNow() >= _busyUntil)
        {
            // StuckEraseFrom (STM32H743 Rev.V, betaflight-configurator PR #1861): the first CLRSTATUS of a stuck ROM is
            // acknowledged and leaves it in dfuERROR/errUNKNOWN; the second is the ordinary one, below.
            _stuck = false;
            _state = DfuState.DfuError;
            _status = DfuStatus.ErrUnknown;
            _statusText = null;
            detail = "stuck: to dfuERROR with errUNKNOWN";
            return SimulatedControlResult.Ack;
        }

        if (_state != DfuState.DfuError)
        {
            return StallError(ref detail, $"DFU_CLRSTATUS not allowed in {_state.ToSpecName()}");
        }

        _state = DfuState.DfuIdle;
        _status = DfuStatus.Ok;
        _statusText = null;
        return SimulatedControlResult.Ack;
    }

    private SimulatedControlResult Abort(ref string detail)
    {
        // DFU 1.1 Appendix A: DFU_ABORT is allowed in dfuIDLE, dfuDNLOAD-IDLE and dfuUPLOAD-IDLE only.
        if (_state is not (DfuState.DfuIdle or DfuState.DfuDnloadIdle or DfuState.DfuUploadIdle))
        {
            return StallError(ref detail, $"DFU_ABORT not allowed in {_state.ToSpecName()}");
        }

        _state = DfuState.DfuIdle;
        _hasPending = false;
        return SimulatedControlResult.Ack;
    }

    private SimulatedControlResult StallError(ref string detail, string why, DfuStatus status = DfuStatus.ErrStalledPkt, string? text = null)
    {
        // DFU 1.1 Appendix A: a request not allowed in a state STALLs and moves to dfuERROR; in dfuERROR the first cause stays.
        if (_state != DfuState.DfuError)
        {
            _state = DfuState.DfuError;
            _status = status;
            _statusText = text;
        }

        detail = why;
        return SimulatedControlResult.Stall;
    }

    private static byte[] StatusReply(DfuStatus status, uint poll, DfuState state, byte stringIndex)
    {
        var reply = new byte[DfuStatusReport.Size];
        new DfuStatusReport(status, Math.Min(poll, DfuStatusReport.MaxPollTimeout), state, stringIndex).WriteTo(reply);
        return reply;
    }

    private static string AppendDetail(string detail, string more) => detail.Length == 0 ? more : $"{detail}; {more}";

    private ushort RealTransferSize
    {
        get
        {
            ushort size = _profile.TransferSize;
            foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.RealTransferSize))
            {
                size = Math.Min(size, fault.TransferSize);
            }

            return size;
        }
    }

    private uint DataAddress(ushort block) => unchecked(_pointer + ((uint)(block - 2) * _profile.TransferSize));

    private bool IsValidCommand(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || !_profile.DfuSeCommands.Contains(data[0]))
        {
            return false;
        }

        return data[0] switch
        {
            SetAddressCommand => data.Length == 5,
            EraseCommand => data.Length is 1 or 5,
            ReadUnprotectCommand => data.Length == 1,
            _ => false,
        };
    }

    private static string DescribeCommand(ReadOnlySpan<byte> data) => data[0] switch
    {
        SetAddressCommand => $"set address 0x{BinaryPrimitives.ReadUInt32LittleEndian(data[1..]):X8}",
        EraseCommand when data.Length == 5 => $"erase 0x{BinaryPrimitives.ReadUInt32LittleEndian(data[1..]):X8}",
        EraseCommand => "mass erase",
        _ => "read unprotect",
    };

    /// <summary>Carries out the pending block when the host asks for the status (ST AN3156: commands run on the first GETSTATUS).</summary>
    private (uint Poll, bool Reenumerate) Execute(ref string detail)
    {
        SimulatedTiming timing = _profile.Timing;
        TimeSpan busy;
        uint poll;
        bool reenumerate = false;
        bool disconnect = false;
        DfuStatus? error = null;
        string? errorText = null;

        if (_profile.IsDfuSe && _pendingBlock == 0)
        {
            byte command = _pending[0];
            uint address = _pending.Length == 5 ? BinaryPrimitives.ReadUInt32LittleEndian(_pending.AsSpan(1)) : 0;
            switch (command)
            {
                case SetAddressCommand:
                    busy = timing.CommandTime;
                    poll = timing.CommandPollTimeout;
                    if (_flash.Find(_alternateSetting, address) is not null)
                    {
                        _pointer = address;
                    }
                    else
                    {
                        // STM32F407 ROM: an unsupported address is reported as dfuDNBUSY, then dfuERROR with errTARGET
                        // (a USB capture posted on the ST community forum, "STM32CubeProgrammer with DFU erase error").
                        error = DfuStatus.ErrTarget;
                    }

                    break;
                case EraseCommand:
                    poll = _pending.Length == 1 ? timing.MassErasePollTimeout : timing.ErasePollTimeout;
                    (busy, error, errorText) = _pending.Length == 1 ? MassErase() : ErasePage(address);
                    if (_pending.Length == 5 && _profile.StuckEraseFrom is { } from && address >= from && error is null)
                    {
                        // STM32H743 Rev.V ROM: the erase is done after its busy time, but the device stays in dfuDNBUSY.
                        _stuck = true;
                        detail = AppendDetail(detail, "erase sticks in dfuDNBUSY");
                    }

                    int erase = ++_erases;
                    if (Faults.OfKind(SimulatedFaultKind.DisconnectDuringErase).Any(f => f.Occurrence == erase))
                    {
                        detail = AppendDetail(detail, "injected disconnect during erase");
                        disconnect = true;
                    }

                    break;
                case not (SetAddressCommand or EraseCommand) when ReadProtectionLevel2:
                    // RM0090 §3.7.3: level 2 is permanent; no command, Read Unprotect included, can lower it.
                    busy = timing.CommandTime;
                    poll = timing.CommandPollTimeout;
                    (error, errorText) = (DfuStatus.ErrVendor, Level2Text);
                    break;
                default:
                    // Read Unprotect: mass erase, clear the protection, then reset (the device leaves the bus).
                    busy = timing.MassEraseTime;
                    poll = timing.MassErasePollTimeout;
                    _flash.EraseAllFlash();

                    _readProtected = false;
                    WriteReadProtectionByte(ReadProtectionLevel0);
                    reenumerate = true;
                    break;
            }
        }
        else
        {
            busy = Drawn(timing.ProgramTime(_pending.Length), timing.ProgramTimeMaxRatio);
            poll = timing.ProgramPollTimeout;
            uint address = DataAddress(_pendingBlock);
            (error, errorText) = _profile.IsDfuSe ? ProgramDfuSe(address, _pending) : ProgramFirmware(_pending);
            foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.StatusAtBlock))
            {
                if (fault.DataBlock == _pendingDataBlock)
                {
                    error = fault.Status;
                    errorText = fault.StatusText;
                }
            }
        }

        _busyUntil = _time.GetUtcNow() + busy;
        _errorAfterBusy = error;
        _errorTextAfterBusy = errorText;
        if (error is { } e)
        {
            detail = AppendDetail(detail, $"fails with {e.ToSpecName()}");
        }

        if (disconnect)
        {
            Reenumerate(_profile);
        }
        else if (reenumerate)
        {
            // Read Unprotect: the device resets once the mass erase is done.
            Reenumerate(_profile, busy);
        }

        return (poll, reenumerate || disconnect);
    }

    private (TimeSpan Busy, DfuStatus? Error, string? Text) ErasePage(uint address)
    {
        if (_readProtected)
        {
            return (_profile.Timing.CommandTime, DfuStatus.ErrVendor, ReadProtectedText);
        }

        (SimulatedSector? sector, DfuStatus? error) = _flash.EraseSector(_alternateSetting, address);
        return sector is { } erased ? (Drawn(_profile.Timing.EraseTime(erased.Size), _profile.Timing.EraseTimeMaxRatio), null, null) : (_profile.Timing.CommandTime, error, null);
    }

    private (TimeSpan Busy, DfuStatus? Error, string? Text) MassErase()
    {
        if (_readProtected)
        {
            return (_profile.Timing.CommandTime, DfuStatus.ErrVendor, ReadProtectedText);
        }

        DfuStatus? error = _flash.MassErase(_alternateSetting);
        return error is null ? (Drawn(_profile.Timing.MassEraseTime, _profile.Timing.EraseTimeMaxRatio), null, null) : (_profile.Timing.CommandTime, error, null);
    }

    /// <summary>The busy time of one operation: the typical time, or in <see cref="SimulatedTimingMode.Drawn"/> a time
    /// drawn uniformly between typical and typical × <paramref name="maxRatio"/> (the datasheet's maximum).</summary>
    private TimeSpan Drawn(TimeSpan typical, double maxRatio)
        => _options.TimingMode == SimulatedTimingMode.Drawn && maxRatio > 1
            ? typical + (typical * ((maxRatio - 1) * _timingRandom.NextDouble()))
            : typical;

    private (DfuStatus? Error, string? Text) ProgramDfuSe(uint address, byte[] data)
    {
        MemoryBank? bank = BankFor(address, data.Length, _alternateSetting);
        if (_readProtected && bank?.Kind != SimulatedMemoryKind.Register)
        {
            // Read protection closes flash and OTP to the bootloader; option bytes stay writable (RM0090, "Read protection (RDP)").
            return (DfuStatus.ErrVendor, ReadProtectedText);
        }

        if (bank is null)
        {
            return (DfuStatus.ErrAddress, null);
        }

        if (_flash.CheckWritable(bank, address, data.Length) is { } refused)
        {
            return (refused, null);
        }

        Span<byte> target = bank.Slice(address, data.Length);
        bool unerased = false;
        if (bank.Kind == SimulatedMemoryKind.Register && ReadProtectionLevel2)
        {
            // RM0090 §3.7.3: at level 2 the option bytes are frozen for good.
            return (DfuStatus.ErrWrite, Level2Text);
        }

        if (bank.Kind == SimulatedMemoryKind.Register)
        {
            data.CopyTo(target);
            ApplyReadProtectionByte(bank, address, data.Length);
        }
        else
        {
            unerased = SimulatedFlash.ProgramNor(target, data);
        }

        CorruptIfInjected(target);
        return unerased && _profile.UnerasedWrite == SimulatedUnerasedWrite.ReportCheckErased
            ? (DfuStatus.ErrCheckErased, null)
            : (null, null);
    }

    /// <summary>Gets a value indicating whether the option bytes hold RDP level 2 (0xCC), which is permanent on silicon
    /// (RM0090 §3.7.3). It follows from the option-byte memory, so it persists wherever that memory does.</summary>
    private bool ReadProtectionLevel2 => _banks.Any(b =>
        b.Kind == SimulatedMemoryKind.Register
        && _memoryProfile?.AlternateSettings[b.AlternateSetting].ReadProtectionOffset is { } offset
        && offset < b.Data.Length && b.Data[offset] == ReadProtectionLevel2Byte);

    /// <summary>RM0090, "Read protection (RDP)": RDP 0xAA is level 0 (no protection); 0xCC is level 2, permanent; any
    /// other value is level 1.</summary>
    private void ApplyReadProtectionByte(MemoryBank bank, uint address, int length)
    {
        if (_memoryProfile?.AlternateSettings[bank.AlternateSetting].ReadProtectionOffset is not { } offset)
        {
            return;
        }

        uint rdp = bank.Base + (uint)offset;
        if (rdp < address || rdp >= address + (ulong)length)
        {
            return;
        }

        if (bank.Data[offset] != ReadProtectionLevel0)
        {
            _readProtected = true;
        }
        else if (_readProtected)
        {
            // Going back to level 0 erases the flash first.
            _flash.EraseAllFlash();

            _readProtected = false;
        }
    }

    private void WriteReadProtectionByte(byte value)
    {
        foreach (MemoryBank bank in _banks)
        {
            if (_memoryProfile?.AlternateSettings[bank.AlternateSetting].ReadProtectionOffset is { } offset && offset < bank.Data.Length)
            {
                bank.Data[offset] = value;
            }
        }
    }

    private (DfuStatus? Error, string? Text) ProgramFirmware(byte[] data)
    {
        if (_downloadOffset + data.Length > _firmware.Length)
        {
            return (DfuStatus.ErrAddress, null);
        }

        Span<byte> target = _firmware.AsSpan(_downloadOffset, data.Length);
        data.CopyTo(target);
        CorruptIfInjected(target);
        _downloadOffset += data.Length;
        _firmwareLength = Math.Max(_firmwareLength, _downloadOffset);
        return (null, null);
    }

    private void CorruptIfInjected(Span<byte> written)
    {
        if (written.IsEmpty)
        {
            return;
        }

        foreach (SimulatedFault fault in Faults.OfKind(SimulatedFaultKind.CorruptWrite))
        {
            if (fault.DataBlock is null || fault.DataBlock == _pendingDataBlock)
            {
                written[written.Length / 2] ^= 0x10;
                return;
            }
        }
    }
}
