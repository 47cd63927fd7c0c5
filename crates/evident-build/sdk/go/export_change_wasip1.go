//go:build wasip1 && evident_change

package evident

// The exports of the state-change interface.

//go:wasmexport evident:db/state-change@EVIDENT_WIT_VERSION#process
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

//go:wasmexport cabi_post_evident:db/state-change@EVIDENT_WIT_VERSION#process
func postProcess(uint32) { endCall() }

//go:wasmexport evident:db/state-change@EVIDENT_WIT_VERSION#validate
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

//go:wasmexport cabi_post_evident:db/state-change@EVIDENT_WIT_VERSION#validate
func postValidate(uint32) { endCall() }
