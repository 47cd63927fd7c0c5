{"world": "state-view-component"}
