//go:build wasip1 && evident_change

package evident

// The exports of the state-change interface.

//go:wasmexport evident:db/state-change@0.3.0#process
func exportProcess(stateType, stateTypeLen, stateSchema, stateSchemaPointer, stateSchemaLen, stateBytes, stateBytesLen,
	commandType, commandTypeLen, commandSchema, commandSchemaPointer, commandSchemaLen, commandBytes, commandBytesLen,
	parameters, parametersLen uint32) uint32 {
	beginCall()
	defer guard()
	clear(returnArea[:])
	events, refusal := []Event(nil), noChange
	if registeredChange != nil {
		s := stateFlat(stateType, stateTypeLen, stateSchema, stateSchemaPointer, stateSchemaLen, stateBytes, stateBytesLen)
		c := command(stateFlat(commandType, commandTypeLen, commandSchema, commandSchemaPointer, commandSchemaLen, commandBytes, commandBytesLen))
		events, refusal = registeredChange.process(s, c, parametersAt(parameters, parametersLen))
	}
	if refusal != nil {
		// result<list<event>, error>: tag 1, then {code, message, details}.
		returnArea[0] = 1
		putString(returnArea[:], 1, refusal.Code)
		putString(returnArea[:], 3, refusal.Message)
		if refusal.Details != nil {
			returnArea[5], returnArea[6], returnArea[7] = 1, keepBytes(refusal.Details), uint32(len(refusal.Details))
		}
		return returnAddress()
	}
	returnArea[1], returnArea[2] = putEvents(events), uint32(len(events))
	return returnAddress()
}

//go:wasmexport cabi_post_evident:db/state-change@0.3.0#process
func postProcess(uint32) { endCall() }

//go:wasmexport evident:db/state-change@0.3.0#validate
func exportValidate(stateType, stateTypeLen, stateSchema, stateSchemaPointer, stateSchemaLen, stateBytes, stateBytesLen,
	commandType, commandTypeLen, commandSchema, commandSchemaPointer, commandSchemaLen, commandBytes, commandBytesLen uint32) uint32 {
	beginCall()
	defer guard()
	clear(returnArea[:])
	valid, refusal := false, noChange
	if registeredChange != nil {
		s := stateFlat(stateType, stateTypeLen, stateSchema, stateSchemaPointer, stateSchemaLen, stateBytes, stateBytesLen)
		c := command(stateFlat(commandType, commandTypeLen, commandSchema, commandSchemaPointer, commandSchemaLen, commandBytes, commandBytesLen))
		valid, refusal = registeredChange.validate(s, c)
	}
	if refusal != nil {
		return putFailure(&failure{message: refusal.Message, refusal: refusal})
	}
	if valid {
		returnArea[1] = 1
	}
	return returnAddress()
}

//go:wasmexport cabi_post_evident:db/state-change@0.3.0#validate
func postValidate(uint32) { endCall() }

// putEvents writes events as a list of event records (100 bytes each) and returns its
// address.
func putEvents(events []Event) uint32 {
	if len(events) == 0 {
		return 0
	}
	words, address := keepWords(25 * len(events))
	for i := range events {
		e, w := &events[i], words[25*i:25*i+25]
		putString(w, 0, e.ID)
		putString(w, 2, e.Source)
		putString(w, 4, e.SpecVersion)
		putString(w, 6, e.Type)
		putOptionalString(w, 8, e.DataContentType)
		putOptionalString(w, 11, e.DataSchema)
		putOptionalString(w, 14, e.Subject)
		if !e.Time.IsZero() {
			putOptionalString(w, 17, formatTime(e.Time, e.LeapSecond))
		}
		if e.Data != nil {
			w[20], w[21], w[22] = 1, keepBytes(e.Data), uint32(len(e.Data))
		}
		if len(e.Extensions) > 0 {
			pairs, pairsAddress := keepWords(4 * len(e.Extensions))
			for j, extension := range e.Extensions {
				putString(pairs, 4*j, extension.Name)
				putString(pairs, 4*j+2, extension.Value)
			}
			w[23], w[24] = pairsAddress, uint32(len(e.Extensions))
		}
	}
	return address
}
