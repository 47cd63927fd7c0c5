//go:build wasip1 && evident_batch

package evident

// The exports of the state-view-batch interface: the state stays decoded in the instance
// while frames of events are applied to it.

//go:wasmexport evident:db/state-view-batch@EVIDENT_WIT_VERSION#load-state
func exportLoadState(contentType, contentTypeLen, schema, schemaPointer, schemaLen, bytes, bytesLen,
	parameters, parametersLen uint32) uint32 {
	beginCall()
	defer guard()
	if registeredView == nil {
		return returnUnit(noView)
	}
	s := stateFlat(contentType, contentTypeLen, schema, schemaPointer, schemaLen, bytes, bytesLen)
	return returnUnit(registeredView.load(s, parametersAt(parameters, parametersLen)))
}

//go:wasmexport cabi_post_evident:db/state-view-batch@EVIDENT_WIT_VERSION#load-state
func postLoadState(uint32) { endCall() }

//go:wasmexport evident:db/state-view-batch@EVIDENT_WIT_VERSION#apply-events
func exportApplyEvents(frame, frameLen uint32) uint32 {
	beginCall()
	defer guard()
	clear(returnArea[:])
	index, f := uint32(0), noView
	if registeredView != nil {
		index, f = registeredView.apply(bytesAt(frame, frameLen))
	}
	if f == nil {
		return returnAddress()
	}
	// result<_, batch-error>: tag 1, then the record {index, message}.
	if f.refusal != nil {
		hostRefuse(f.refusal)
	}
	returnArea[0], returnArea[1] = 1, index
	putString(returnArea[:], 2, f.message)
	return returnAddress()
}

//go:wasmexport cabi_post_evident:db/state-view-batch@EVIDENT_WIT_VERSION#apply-events
func postApplyEvents(uint32) { endCall() }

//go:wasmexport evident:db/state-view-batch@EVIDENT_WIT_VERSION#save-state
func exportSaveState() uint32 {
	beginCall()
	defer guard()
	if registeredView == nil {
		return returnState(state{}, noView)
	}
	return returnState(registeredView.save())
}

//go:wasmexport cabi_post_evident:db/state-view-batch@EVIDENT_WIT_VERSION#save-state
func postSaveState(uint32) { endCall() }
